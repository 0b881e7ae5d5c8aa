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
    if (!form.hasAttribute || !form.hasAttribute("data-partial") || e.defaultPrevented) return;
    e.preventDefault();
    var body = new URLSearchParams(new FormData(form, e.submitter || null));
    var action = (e.submitter && e.submitter.formAction) || form.action;
    fetch(action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (res) {
        return res.text().then(function (html) { show(res.url, html); });
      })
      .catch(function () { form.submit(); });
  });

  // Puts the answer's main part in place of ours; anything that is not a page of ours (a
  // sign-in page after the session ended, say) is opened as a whole.
  function show(url, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    if (!main || page.querySelector("form[action^='/sign-in']")) { window.location.assign(url); return; }
    document.querySelector("main").replaceWith(document.adoptNode(main));
    document.title = page.title;
    if (url !== window.location.href) window.history.replaceState(null, "", url);
    var said = main.querySelector(".saved, .problem") || main.querySelector("h1");
    if (said) { said.tabIndex = -1; said.focus(); }
    setUpCoding();
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
