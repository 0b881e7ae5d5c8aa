//! Coding a campaign's replies: who codes which reply, what a coder may see of the others'
//! codings, and which answer is final when several coders coded the same question.
//!
//! Everything here is pure: the service loads the codings and the plan, asks these rules, and
//! stores what they decide.

use std::cmp::Ordering;

use super::codebook::Answer;

/// How replies are shared among a campaign's coders: every reply by one coder, and a share of
/// them by a second, chosen at random but reproducibly from `seed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The coders, in the order they were named. At least one.
    pub coders: Vec<i64>,
    /// The share of replies coded by two coders, in percent (0–100).
    pub double_percent: u8,
    pub seed: u64,
}

impl Assignment {
    /// The coders of one request: one, or two when it falls in the double-coded share and there
    /// are two coders or more. It depends only on the request's id, the seed and the coders, so
    /// adding requests to a campaign moves no one else's work.
    pub fn coders_of(&self, request_id: i64) -> Vec<i64> {
        let n = self.coders.len() as u64;
        if n == 0 {
            return Vec::new();
        }
        let draw = mix(self.seed ^ mix(request_id as u64));
        let first = (draw % n) as usize;
        // A second, independent draw decides the double coding, so that it does not favour
        // any first coder.
        let doubled = mix(draw) % 100 < u64::from(self.double_percent);
        if !doubled || n < 2 {
            return vec![self.coders[first]];
        }
        let step = 1 + (mix(draw ^ 0x9e37_79b9) % (n - 1)) as usize;
        vec![self.coders[first], self.coders[(first + step) % n as usize]]
    }
}

/// splitmix64's finaliser: a fixed function, so an assignment is the same on every machine and
/// in every release (the standard library's hasher promises neither).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Coding is blind: a coder of the campaign sees another coder's answer to a question about a
/// reply only once they have answered it themselves. Someone who codes nothing in the campaign
/// (a supervisor, an adjudicator) sees every answer.
pub fn may_see_others(viewer_codes_campaign: bool, viewer_answered: bool) -> bool {
    !viewer_codes_campaign || viewer_answered
}

/// Whether two answers say the same: codes as sets, numbers exactly, text after trimming.
pub fn same_answer(a: &Answer, b: &Answer) -> bool {
    match (a, b) {
        (Answer::Codes(x), Answer::Codes(y)) => sorted(x) == sorted(y),
        (Answer::Number(x), Answer::Number(y)) => x.total_cmp(y) == Ordering::Equal,
        (Answer::Text(x), Answer::Text(y)) => x.trim() == y.trim(),
        _ => false,
    }
}

fn sorted(codes: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = codes.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

/// Why an answer is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Only one coder answered.
    SingleCoder,
    /// Every coder gave the same answer.
    Agreed,
    /// An adjudicator decided.
    Adjudicated,
}

/// The final state of one question about one reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Final {
    /// No coder has answered.
    NotCoded,
    Decided(Answer, Basis),
    /// Coders disagree and no one has adjudicated: counted apart, never silently picked.
    Undecided,
}

/// Decides the final answer from the coders' answers and an adjudication, which wins whenever
/// there is one (an adjudicator may also overrule coders who agreed).
pub fn decide(answers: &[&Answer], adjudicated: Option<&Answer>) -> Final {
    if let Some(a) = adjudicated {
        return Final::Decided(a.clone(), Basis::Adjudicated);
    }
    match answers {
        [] => Final::NotCoded,
        [only] => Final::Decided((*only).clone(), Basis::SingleCoder),
        [first, rest @ ..] if rest.iter().all(|a| same_answer(first, a)) => {
            Final::Decided((*first).clone(), Basis::Agreed)
        }
        _ => Final::Undecided,
    }
}

/// How an answer is kept in one text column: code keys joined by `;`, which no key may hold.
pub fn codes_to_column(codes: &[String]) -> String {
    codes.join(";")
}

pub fn codes_from_column(column: &str) -> Vec<String> {
    column.split(';').filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(c: &[&str]) -> Answer {
        Answer::Codes(c.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn assignment_is_reproducible_and_shares_the_double_coding_as_asked() {
        let plan = Assignment { coders: vec![10, 20, 30], double_percent: 20, seed: 7 };
        let again = plan.clone();
        let mut doubled = 0;
        let mut firsts = [0usize; 3];
        for id in 1..=10_000 {
            let who = plan.coders_of(id);
            assert_eq!(who, again.coders_of(id));
            assert!(who.iter().all(|c| plan.coders.contains(c)));
            if who.len() == 2 {
                assert_ne!(who[0], who[1]);
                doubled += 1;
            }
            firsts[plan.coders.iter().position(|&c| c == who[0]).unwrap()] += 1;
        }
        // 20% of 10,000 with a binomial spread of about 40.
        assert!((1_800..2_200).contains(&doubled), "{doubled} doubled");
        assert!(firsts.iter().all(|&n| (3_000..3_700).contains(&n)), "{firsts:?}");
        let other_seed = Assignment { seed: 8, ..plan.clone() };
        assert!((1..=100).any(|id| other_seed.coders_of(id) != plan.coders_of(id)));
    }

    #[test]
    fn all_or_nothing_double_coding_and_a_single_coder() {
        let all = Assignment { coders: vec![1, 2], double_percent: 100, seed: 1 };
        let none = Assignment { double_percent: 0, ..all.clone() };
        let alone = Assignment { coders: vec![5], double_percent: 100, seed: 1 };
        for id in 1..200 {
            assert_eq!(all.coders_of(id).len(), 2);
            assert_eq!(none.coders_of(id).len(), 1);
            assert_eq!(alone.coders_of(id), vec![5]);
        }
        assert!(Assignment { coders: vec![], double_percent: 50, seed: 1 }.coders_of(1).is_empty());
    }

    #[test]
    fn an_assignment_does_not_change_from_one_release_to_the_next() {
        let plan = Assignment { coders: vec![1, 2, 3], double_percent: 50, seed: 42 };
        let got: Vec<Vec<i64>> = (1..=6).map(|id| plan.coders_of(id)).collect();
        let fixed: [&[i64]; 6] = [&[2, 1], &[2, 3], &[3], &[3], &[3], &[1, 3]];
        assert_eq!(got, fixed, "a changed mix would reassign every campaign's replies");
    }

    #[test]
    fn blind_until_answered() {
        assert!(!may_see_others(true, false));
        assert!(may_see_others(true, true));
        assert!(may_see_others(false, false));
    }

    #[test]
    fn one_coder_is_final_agreement_is_final_disagreement_waits() {
        let yes = codes(&["yes"]);
        let no = codes(&["no"]);
        assert_eq!(decide(&[], None), Final::NotCoded);
        assert_eq!(decide(&[&yes], None), Final::Decided(yes.clone(), Basis::SingleCoder));
        assert_eq!(decide(&[&yes, &yes], None), Final::Decided(yes.clone(), Basis::Agreed));
        assert_eq!(decide(&[&yes, &no], None), Final::Undecided);
        assert_eq!(decide(&[&yes, &no], Some(&no)), Final::Decided(no.clone(), Basis::Adjudicated));
        assert_eq!(decide(&[&yes, &yes], Some(&no)), Final::Decided(no, Basis::Adjudicated));
    }

    #[test]
    fn answers_compare_by_meaning() {
        assert!(same_answer(&codes(&["a", "b"]), &codes(&["b", "a"])));
        assert!(!same_answer(&codes(&["a"]), &codes(&["a", "b"])));
        assert!(same_answer(&Answer::Number(12.0), &Answer::Number(12.0)));
        assert!(!same_answer(&Answer::Number(12.0), &Answer::Number(12.5)));
        assert!(same_answer(&Answer::Text("x ".into()), &Answer::Text("x".into())));
        assert!(!same_answer(&Answer::Text("12".into()), &Answer::Number(12.0)));
    }

    #[test]
    fn codes_round_trip_through_their_column() {
        let c = vec!["in_house".to_string(), "external".to_string()];
        assert_eq!(codes_from_column(&codes_to_column(&c)), c);
        assert!(codes_from_column("").is_empty());
    }
}
