//! Turning a `.qdc` file's tree of codes into a codebook: recognising an earlier version's
//! questions and codes by their GUIDs, and making questions of the rest.

use std::collections::{HashMap, HashSet};

use super::read::{QdcCode, QdcFile};
use super::{guid, key_from_name};
use crate::domain::codebook::{Code, Codebook, Problem, Question, QuestionKind, YES_NO_UNCLEAR};

/// What an import did besides reading codes, for the researcher to check.
pub type Notes = Vec<String>;

/// Turns a file's codes into a codebook called `key`, titled `title`. With `earlier` (the
/// workspace's newest version of `key`), questions and codes whose GUIDs it gave keep their keys,
/// types, conditions and rules, and what they replace; conditions and rules that name a question
/// or code the file left out are dropped. Other top-level codes with codes beneath them become
/// new multiple-choice questions; top-level codes with nothing beneath become the codes of one
/// multiple-choice question, `codes` (or, when there is only one, a yes / no / unclear
/// question). The result is then checked like any codebook.
pub fn codebook_from_qdc(
    file: &QdcFile,
    key: &str,
    title: &str,
    earlier: Option<&Codebook>,
) -> Result<(Codebook, Notes), Vec<Problem>> {
    let mut notes = Notes::new();
    if file.sets > 0 {
        notes.push(format!("{} code set(s) left out: foitrack codebooks have no sets", file.sets));
    }
    let known = earlier.map(Known::of).unwrap_or_default();
    let matched = |top: &QdcCode| earlier.and_then(|b| b.question(known.questions.get(&top.guid)?));
    // The keys of the questions the file keeps are reserved first, so that a new question never
    // takes one of them.
    let mut keys = Keys::default();
    let mut kept: HashSet<&str> = HashSet::new();
    for q in file.codes.iter().filter_map(matched) {
        keys.reserve(&q.key);
    }
    let mut questions: Vec<Question> = Vec::new();
    let mut loose: Vec<QdcCode> = Vec::new();
    for top in &file.codes {
        if let Some(q) = matched(top).filter(|q| kept.insert(q.key.as_str())) {
            questions.push(matched_question(q, top, &known, &mut notes));
        } else if top.children.is_empty() {
            loose.push(top.clone());
        } else {
            let key = keys.fresh(key_from_name(&top.name));
            notes.push(format!("\"{}\" became the multiple-choice question {key}", top.name));
            questions.push(new_question(key, top, QuestionKind::Multiple, codes_of(&top.children, None)));
        }
    }
    if let [only] = loose.as_slice() {
        // One code alone is a question of whether it applies.
        let key = keys.fresh(key_from_name(&only.name));
        notes.push(format!("\"{}\" became the yes / no / unclear question {key}", only.name));
        questions.push(new_question(key, only, QuestionKind::YesNoUnclear, Vec::new()));
    } else if !loose.is_empty() {
        let key = keys.fresh("codes".into());
        let codes = codes_of(&loose, None);
        notes.push(format!(
            "{} top-level code(s) became the codes of the multiple-choice question {key}",
            codes.len()
        ));
        let mut q = new_question(key, &loose[0], QuestionKind::Multiple, codes);
        (q.label, q.description) = ("Codes".into(), String::new());
        questions.push(q);
    }
    if let Some(book) = earlier {
        for q in book.questions.iter().filter(|q| !kept.contains(q.key.as_str())) {
            notes.push(format!("question {} is not in the file, so it is left out", q.key));
        }
    }
    prune(&mut questions, &mut notes);
    let book = Codebook {
        key: key.to_string(),
        title: title.to_string(),
        description: earlier.map(|b| b.description.clone()).unwrap_or_default(),
        questions,
    };
    book.check()?;
    Ok((book, notes))
}

fn new_question(key: String, top: &QdcCode, kind: QuestionKind, codes: Vec<Code>) -> Question {
    Question {
        key,
        label: top.name.clone(),
        description: top.description.clone(),
        kind,
        codes,
        applies_when: None,
        rules: Vec::new(),
    }
}

/// The questions and codes of an earlier version, by GUID.
#[derive(Default)]
struct Known {
    questions: HashMap<String, String>,
    /// Question key → (GUID → code).
    codes: HashMap<String, HashMap<String, Code>>,
    /// The GUIDs of the built-in codes of yes / no / unclear questions, which exports write.
    built_in: HashSet<String>,
}

impl Known {
    fn of(book: &Codebook) -> Self {
        let mut known = Known::default();
        for q in &book.questions {
            known.questions.insert(guid(&book.key, &q.key, ""), q.key.clone());
            let codes = known.codes.entry(q.key.clone()).or_default();
            for c in &q.codes {
                codes.insert(guid(&book.key, &q.key, &c.key), c.clone());
            }
            if q.kind == QuestionKind::YesNoUnclear {
                known.built_in.extend(YES_NO_UNCLEAR.iter().map(|c| guid(&book.key, &q.key, c)));
            }
        }
        known
    }
}

fn matched_question(q: &Question, top: &QdcCode, known: &Known, notes: &mut Notes) -> Question {
    let mut question = q.clone();
    question.label = top.name.clone();
    question.description = top.description.clone();
    match q.kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let codes = codes_of(&top.children, known.codes.get(&q.key));
            for gone in q.codes.iter().filter(|c| !codes.iter().any(|n| n.key == c.key)) {
                notes.push(format!("code {}.{} is not in the file, so it is left out", q.key, gone.key));
            }
            for added in codes.iter().filter(|c| !q.codes.iter().any(|o| o.key == c.key)) {
                notes.push(format!("code {}.{} is new", q.key, added.key));
            }
            question.codes = codes;
        }
        _ if top.children.iter().all(|c| known.built_in.contains(&c.guid) && c.children.is_empty()) => {}
        kind => notes.push(format!(
            "the codes beneath {} are left out: its answers are {}",
            q.key,
            match kind {
                QuestionKind::Number => "numbers",
                QuestionKind::Text => "text",
                _ => "yes, no or unclear",
            }
        )),
    }
    question
}

/// A question's codes in the order read, each after its parent. A code whose GUID `known` gives
/// keeps its key and what it replaces; those keys are reserved before any new code is named,
/// and a GUID given twice is recognised only the first time.
fn codes_of(tree: &[QdcCode], known: Option<&HashMap<String, Code>>) -> Vec<Code> {
    let empty = HashMap::new();
    let known = known.unwrap_or(&empty);
    let mut keys = Keys::default();
    let mut all = Vec::new();
    walk(tree, &mut |c| all.push(c));
    for c in &all {
        if let Some(k) = known.get(&c.guid) {
            keys.reserve(&k.key);
        }
    }
    let mut recognised: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(all.len());
    flatten(tree, None, known, &mut keys, &mut recognised, &mut out);
    out
}

fn walk<'a>(tree: &'a [QdcCode], visit: &mut impl FnMut(&'a QdcCode)) {
    for c in tree {
        visit(c);
        walk(&c.children, visit);
    }
}

fn flatten<'a>(
    tree: &'a [QdcCode],
    parent: Option<&str>,
    known: &'a HashMap<String, Code>,
    keys: &mut Keys,
    recognised: &mut HashSet<&'a str>,
    out: &mut Vec<Code>,
) {
    for c in tree {
        let earlier = known.get(&c.guid).filter(|k| recognised.insert(k.key.as_str()));
        let key = match earlier {
            Some(k) => k.key.clone(),
            None => keys.fresh(key_from_name(&c.name)),
        };
        out.push(Code {
            key: key.clone(),
            label: c.name.clone(),
            description: c.description.clone(),
            colour: c.colour.clone(),
            parent: parent.map(String::from),
            replaces: earlier.map(|k| k.replaces.clone()).unwrap_or_default(),
        });
        flatten(&c.children, Some(&key), known, keys, recognised, out);
    }
}

/// Drops the conditions and rules of kept questions that name a question or code the file left
/// out, saying so: the researcher cannot mend them in the other tool.
fn prune(questions: &mut [Question], notes: &mut Notes) {
    let codes: HashMap<String, Vec<String>> = questions
        .iter()
        .map(|q| (q.key.clone(), q.code_keys().into_iter().map(String::from).collect()))
        .collect();
    for q in questions.iter_mut() {
        if let Some(c) = q.applies_when.as_mut() {
            let known = codes.get(&c.question);
            let before = c.codes.len();
            c.codes.retain(|code| known.is_some_and(|k| k.contains(code)));
            if c.codes.is_empty() {
                notes.push(format!(
                    "{} now applies to every reply: its condition on {} named codes the file left out",
                    q.key, c.question
                ));
                q.applies_when = None;
            } else if c.codes.len() < before {
                notes.push(format!(
                    "{}'s condition lost codes of {} that the file left out",
                    q.key, c.question
                ));
            }
        }
        let own: Vec<String> = q.code_keys().into_iter().map(String::from).collect();
        let before = q.rules.len();
        q.rules.retain(|r| own.contains(&r.code));
        if q.rules.len() < before {
            notes.push(format!(
                "{} rule(s) of {} left out: they suggested codes the file left out",
                before - q.rules.len(),
                q.key
            ));
        }
    }
}

/// Keys given so far, and how to make a new one that is not among them.
#[derive(Default)]
struct Keys {
    taken: HashSet<String>,
    /// The last number tried after each base, so that many alike names cost no more than one.
    tried: HashMap<String, usize>,
}

impl Keys {
    fn reserve(&mut self, key: &str) {
        self.taken.insert(key.to_string());
    }

    /// `base`, or `base_2`, `base_3`… the first not taken; taken from then on.
    fn fresh(&mut self, base: String) -> String {
        if self.taken.insert(base.clone()) {
            return base;
        }
        let n = self.tried.entry(base.clone()).or_insert(1);
        loop {
            *n += 1;
            let key = format!("{base}_{n}");
            if self.taken.insert(key.clone()) {
                return key;
            }
        }
    }
}
