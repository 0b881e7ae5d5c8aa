//! How good a codebook's rules are: each rule's precision and recall against the final codes.
//!
//! A reply counts for a rule only when its question has a final answer there (decided, and
//! applying). The rule is right when it suggested its code and the final answer has it (a true
//! positive), wrong when it suggested the code and the final answer lacks it (a false positive),
//! and missed it when the final answer has the code it did not suggest (a false negative).

use std::collections::HashMap;

use super::codebook::{Codebook, Suggestion};

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RuleQuality {
    pub question: String,
    /// The rule's position among its question's rules, from 0.
    pub rule: usize,
    pub code: String,
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    /// Of the replies it suggested its code for, the share whose final answer has it (0–1);
    /// null when it suggested nothing.
    #[schema(required = true)]
    pub precision: Option<f64>,
    /// Of the replies whose final answer has its code, the share it suggested it for (0–1);
    /// null when no final answer has the code.
    #[schema(required = true)]
    pub recall: Option<f64>,
}

/// One reply: what the rules suggested for its text, and its final codes by question.
pub struct Unit {
    pub suggestions: Vec<Suggestion>,
    pub finals: HashMap<String, Vec<String>>,
}

/// Each rule of the codebook, in order, with its counts over the replies.
pub fn rule_quality(book: &Codebook, units: &[Unit]) -> Vec<RuleQuality> {
    let mut out = Vec::new();
    for q in &book.questions {
        for (rule, r) in q.rules.iter().enumerate() {
            let (mut tp, mut fp, mut missed) = (0, 0, 0);
            for unit in units {
                let Some(finals) = unit.finals.get(&q.key) else { continue };
                let suggested = unit.suggestions.iter().any(|s| s.question == q.key && s.rule == rule);
                match (suggested, finals.contains(&r.code)) {
                    (true, true) => tp += 1,
                    (true, false) => fp += 1,
                    (false, true) => missed += 1,
                    (false, false) => {}
                }
            }
            let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
            out.push(RuleQuality {
                question: q.key.clone(),
                rule,
                code: r.code.clone(),
                true_positives: tp,
                false_positives: fp,
                false_negatives: missed,
                precision: share(tp, tp + fp),
                recall: share(tp, tp + missed),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codebook::{ABT_CODEBOOK, Suggester};

    fn unit(book: &Codebook, text: &str, finals: &[(&str, &[&str])]) -> Unit {
        Unit {
            suggestions: Suggester::new(book).unwrap().suggest(text),
            finals: finals
                .iter()
                .map(|(q, c)| (q.to_string(), c.iter().map(|s| s.to_string()).collect()))
                .collect(),
        }
    }

    #[test]
    fn counts_hits_false_alarms_and_misses_where_there_is_a_final_answer() {
        let book = Codebook::from_toml(ABT_CODEBOOK).unwrap();
        let units = [
            unit(&book, "All staff attend active bystander training.", &[("offers_abt", &["yes"])]),
            unit(&book, "Active bystander training is planned for next year.", &[("offers_abt", &["no"])]),
            unit(&book, "Our courses cover civility.", &[("offers_abt", &["yes"])]),
            unit(&book, "We run active bystander training.", &[]),
        ];
        let found = rule_quality(&book, &units);
        let yes = found.iter().find(|r| r.question == "offers_abt" && r.code == "yes").unwrap();
        assert_eq!((yes.true_positives, yes.false_positives, yes.false_negatives), (1, 1, 1), "{yes:?}");
        assert_eq!((yes.precision, yes.recall), (Some(0.5), Some(0.5)));
        let general = found.iter().find(|r| r.question == "sh_content" && r.code == "general").unwrap();
        assert_eq!((general.precision, general.recall), (None, None), "no reply has a final sh_content");
        let rules: usize = book.questions.iter().map(|q| q.rules.len()).sum();
        assert_eq!(found.len(), rules);
    }
}
