// foitrack's one script. The pages work without it; it adds two things.
// - Partial updates: a form marked data-partial is sent in the background, and only the page's
//   main part is replaced by the answer, keeping the header, the scroll and the focus near the
//   form; the answer's message (saved, or what was wrong) then takes the focus.
// - The coding workspace's keyboard shortcuts: E attaches the selected words to the question in
//   hand as evidence, N and P go to the next and previous reply. Offsets count Unicode code
//   points from the start of the text, as the server does.
(function () {
  "use strict";

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-partial") || e.defaultPrevented) return;
    if (form.method !== "post" || form.enctype === "multipart/form-data") return;
    e.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;
    var submitter = e.submitter || null;
    var body = new URLSearchParams(new FormData(form, submitter));
    // A button's formAction is the page's own address when it names none.
    var action = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    busy(form, true);
    fetch(action, { method: "POST", body: body, credentials: "same-origin" }).then(
      function (res) {
        res.text().then(function (html) { show(form, res, html); }, function () { unsure(form); });
      },
      // Nothing reached the server: the form goes the ordinary way, once.
      function () {
        busy(form, false);
        form.removeAttribute("data-partial");
        if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
      }
    );
  });

  function busy(form, on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = on; });
  }

  // Puts the answer's main part in place of ours. A session that ended leads to signing in;
  // an answer that is no page of ours leaves this one as it was, saying so.
  function show(form, res, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    if (main && page.querySelector("form[action^='/sign-in']")) {
      window.location.assign("/sign-in?next=" + encodeURIComponent(window.location.pathname + window.location.search));
      return;
    }
    if (!main) { unsure(form); return; }
    document.querySelector("main").replaceWith(document.adoptNode(main));
    document.title = page.title;
    if (res.redirected) window.history.replaceState(null, "", res.url);
    var said = main.querySelector(".saved, .problem") || main.querySelector("h1");
    if (said) { said.tabIndex = -1; said.focus(); }
    setUpCoding();
  }

  function unsure(form) {
    busy(form, false);
    var note = document.createElement("p");
    note.className = "problem";
    note.setAttribute("role", "alert");
    note.tabIndex = -1;
    note.textContent = "The answer to this form could not be shown. Reload the page to see what was saved.";
    form.parentNode.insertBefore(note, form);
    note.focus();
  }

  var coding = null, current = null, status = null;

  function setUpCoding() {
    coding = document.getElementById("coding");
    current = null;
    if (!coding) return;
    var first = coding.querySelector(".evidence");
    if (first) setCurrent(first.closest("fieldset.question"));
    coding.addEventListener("focusin", function (e) { setCurrent(e.target.closest("fieldset.question")); });
    coding.addEventListener("click", function (e) { setCurrent(e.target.closest("fieldset.question")); });
    status = document.createElement("p");
    status.className = "announce";
    status.setAttribute("role", "status");
    coding.parentNode.insertBefore(status, coding);
  }

  function setCurrent(fieldset) {
    if (!fieldset || !fieldset.querySelector(".evidence")) return;
    if (current) current.classList.remove("current");
    current = fieldset;
    current.classList.add("current");
  }

  function say(words) { if (status) status.textContent = words; }

  function codePoints(s) { return Array.from(s).length; }

  // Where the selection lies in one of the texts, as a passage; null when it lies elsewhere.
  function selected() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    var range = sel.getRangeAt(0);
    var node = range.startContainer;
    var source = (node.nodeType === 1 ? node : node.parentElement).closest("pre.source");
    if (!source || !source.contains(range.endContainer)) return null;
    var before = document.createRange();
    before.setStart(source, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var start = codePoints(before.toString());
    var quote = range.toString();
    var where = source.dataset.message + (source.dataset.attachment ? "/" + source.dataset.attachment : "");
    return { token: where + ":" + start + "-" + (start + codePoints(quote)), quote: quote };
  }

  function attach() {
    if (!current) { say("No question is open to take evidence."); return; }
    var passage = selected();
    if (!passage) { say("Select words in the reply first, then press E."); return; }
    var field = current.querySelector(".evidence");
    var tokens = field.value.split(/\s+/).filter(Boolean);
    if (tokens.indexOf(passage.token) < 0) tokens.push(passage.token);
    field.value = tokens.join(" ");
    var item = document.createElement("li");
    item.textContent = "“" + passage.quote + "”";
    current.querySelector(".quotes").appendChild(item);
    say("Attached to “" + current.querySelector("legend").textContent + "”.");
  }

  function go(id) {
    var link = document.getElementById(id);
    if (link) window.location.assign(link.href);
  }

  setUpCoding();

  document.addEventListener("keydown", function (e) {
    if (!coding || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
    var key = e.key.toLowerCase();
    if (key === "e") { e.preventDefault(); attach(); }
    else if (key === "n") { e.preventDefault(); go("next"); }
    else if (key === "p") { e.preventDefault(); go("previous"); }
  });
})();
