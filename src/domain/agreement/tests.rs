//! Every statistic against published worked examples, and every degenerate case.

use proptest::prelude::*;

use super::long_csv::parse;
use super::*;

/// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example with four
/// observers, twelve units and missing values (values 1–5; `0` here: not coded). Published:
/// nominal α = 0.743, interval α = 0.849. The same data is `cac.raw4raters` in Gwet's irrCAC R
/// package, whose `gwet.ac1.raw` gives pa = 0.8182 and AC1 = 0.7754.
const RELIABILITY_DATA: [[usize; 12]; 4] = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
    [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
];

fn reliability_data() -> Matrix {
    let mut m = Matrix::new(4, 5);
    for unit in (0..12).map(|u| RELIABILITY_DATA.map(|coder| coder[u])) {
        m.push(unit.iter().map(|v| v.checked_sub(1)).collect());
    }
    m
}

/// The 50 grant proposals read by two readers (the standard example of Cohen's kappa): 20 both
/// yes, 15 both no, 5 yes by the first reader only, 10 by the second only. κ = 0.4.
fn fifty_proposals() -> Matrix {
    let mut m = Matrix::new(2, 2);
    let cells = [(20, [0, 0]), (5, [0, 1]), (10, [1, 0]), (15, [1, 1])];
    for (times, pair) in cells {
        for _ in 0..times {
            m.push(pair.iter().map(|&c| Some(c)).collect());
        }
    }
    m
}

fn close(estimate: &Estimate, expected: f64, places: i32) {
    let value = estimate.value().unwrap_or_else(|| panic!("undefined: {estimate:?}"));
    let tolerance = 0.5 * 10f64.powi(-places);
    assert!((value - expected).abs() <= tolerance, "{value} is not {expected} to {places} places");
}

fn undefined(estimate: &Estimate, because: &str) {
    let why = estimate.reason().unwrap_or_else(|| panic!("expected undefined, got {estimate:?}"));
    assert!(why.contains(because), "{why:?} does not say {because:?}");
}

#[test]
fn krippendorff_reliability_data_nominal() {
    let m = reliability_data();
    close(&krippendorff_alpha(&m, &Level::Nominal), 0.743, 3);
    close(&percent_agreement(&m), 81.818, 3);
    close(&gwet_ac1(&m, &Level::Nominal), 0.7754, 4);
    undefined(&cohen_kappa(&m, &Level::Nominal), "exactly two coders; these codings have 4");
    assert_eq!((m.units(), m.pairable_units(), m.coders()), (12, 11, 4));
}

#[test]
fn krippendorff_reliability_data_interval() {
    let level = Level::Interval(vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    let m = reliability_data();
    close(&krippendorff_alpha(&m, &level), 0.849, 3);
    undefined(&gwet_ac1(&m, &level), "not numbers");
    undefined(&cohen_kappa(&m, &level), "not numbers");
}

#[test]
fn cohen_fifty_proposals() {
    let m = fifty_proposals();
    close(&cohen_kappa(&m, &Level::Nominal), 0.4, 10);
    close(&percent_agreement(&m), 70.0, 10);
    // Gwet: π_yes = (25/50 + 30/50) / 2 = 0.55; chance = 2 × 0.55 × 0.45 = 0.495.
    close(&gwet_ac1(&m, &Level::Nominal), (0.7 - 0.495) / (1.0 - 0.495), 10);
    // Coincidences: 40 yes–yes, 30 no–no, 15 each way; 1 − 99 × 30 / (2 × 55 × 45).
    close(&krippendorff_alpha(&m, &Level::Nominal), 0.4, 10);
}

#[test]
fn the_bootstrap_interval_is_reproducible_and_holds_alpha() {
    let m = reliability_data();
    let alpha = krippendorff_alpha(&m, &Level::Nominal).value().unwrap();
    let ci = krippendorff_interval(&m, &Level::Nominal, 1000, 7).expect("an interval");
    assert!(ci.low < alpha && alpha <= ci.high, "{ci:?} around {alpha}");
    assert!(ci.low > -1.0 && ci.high <= 1.0);
    assert_eq!(Some(ci), krippendorff_interval(&m, &Level::Nominal, 1000, 7));
    assert_ne!(Some(ci), krippendorff_interval(&m, &Level::Nominal, 1000, 8));
    assert_eq!(statistics(&m, &Level::Nominal).krippendorff_alpha_ci.map(|c| c.level), Some(0.95));
}

#[test]
fn one_code_throughout_is_undefined_not_nan() {
    let mut m = Matrix::new(2, 1);
    for _ in 0..10 {
        m.push(vec![Some(0), Some(0)]);
    }
    let s = statistics(&m, &Level::Nominal);
    close(&s.percent_agreement, 100.0, 10);
    undefined(&s.cohen_kappa, "one and the same code");
    undefined(&s.krippendorff_alpha, "no variation");
    undefined(&s.gwet_ac1, "only one code");
    assert_eq!(s.krippendorff_alpha_ci, None);
}

#[test]
fn a_declared_code_nobody_used_gives_ac1_its_chance_term() {
    let mut m = Matrix::new(2, 2);
    for _ in 0..10 {
        m.push(vec![Some(0), Some(0)]);
    }
    // Everyone agreed on "no", and "yes" was possible: AC1 is 1, kappa still undefined.
    close(&gwet_ac1(&m, &Level::Nominal), 1.0, 10);
    undefined(&cohen_kappa(&m, &Level::Nominal), "one and the same code");
}

#[test]
fn one_unit_is_too_few() {
    let mut m = Matrix::new(2, 2);
    m.push(vec![Some(0), Some(1)]);
    let s = statistics(&m, &Level::Nominal);
    close(&s.percent_agreement, 0.0, 10);
    undefined(&s.cohen_kappa, "fewer than two units");
    undefined(&s.krippendorff_alpha, "fewer than two units");
    undefined(&s.gwet_ac1, "fewer than two units");
}

#[test]
fn no_overlap_at_all() {
    let mut m = Matrix::new(2, 2);
    m.push(vec![Some(0), None]);
    m.push(vec![None, Some(1)]);
    let s = statistics(&m, &Level::Nominal);
    assert_eq!((s.units, s.pairable_units, s.coders), (2, 0, 2));
    undefined(&s.percent_agreement, "no unit was coded by two");
    undefined(&s.cohen_kappa, "coded by both");
    undefined(&s.krippendorff_alpha, "fewer than two units");
    let empty = statistics(&Matrix::default(), &Level::Nominal);
    assert_eq!((empty.units, empty.coders), (0, 0));
    undefined(&empty.cohen_kappa, "these codings have 0");
}

#[test]
fn per_code_presence_for_several_codes() {
    // Two coders, three replies, codes a, b, c: they agree on a everywhere, and on b and on c
    // in two replies of three (both leaving it out counts as agreeing).
    let sets = SetMatrix {
        rows: vec![
            vec![Some(vec![0, 1]), Some(vec![0, 1])],
            vec![Some(vec![0]), Some(vec![0, 1])],
            vec![Some(vec![]), Some(vec![2])],
        ],
        codes: 3,
    };
    let per = per_code(&sets);
    assert_eq!(per.len(), 3);
    close(&per[0].percent_agreement, 100.0, 10);
    close(&per[1].percent_agreement, 200.0 / 3.0, 10);
    close(&per[2].percent_agreement, 200.0 / 3.0, 10);
    assert_eq!(sets.presence(2).counts(), vec![vec![(0, 2)], vec![(0, 2)], vec![(0, 1), (1, 1)]]);
}

const RELIABILITY_CSV: &str = "\u{feff}Unit,Coder,Value\n\
    1,A,1\n1,B,1\n1,D,1\n2,A,2\n2,B,2\n2,C,3\n2,D,2\n3,A,3\n3,B,3\n3,C,3\n3,D,3\n\
    4,A,3\n4,B,3\n4,C,3\n4,D,3\n5,A,2\n5,B,2\n5,C,2\n5,D,2\n6,A,1\n6,B,2\n6,C,3\n6,D,4\n\
    7,A,4\n7,B,4\n7,C,4\n7,D,4\n8,A,1\n8,B,1\n8,C,2\n8,D,1\n9,A,2\n9,B,2\n9,C,2\n9,D,2\n\
    10,B,5\n10,C,5\n10,D,5\n11,C,1\n11,D,1\n12,B,3\n12,C,\n";

#[test]
fn the_long_csv_reproduces_the_published_alpha() {
    let codings = parse(RELIABILITY_CSV.as_bytes(), false).expect("a good file");
    assert_eq!(codings.coders, ["A", "B", "D", "C"]);
    close(&krippendorff_alpha(&codings.matrix, &codings.level), 0.743, 3);
    assert!(codings.multi.is_none());
    let interval = parse(RELIABILITY_CSV.as_bytes(), true).expect("numbers");
    close(&krippendorff_alpha(&interval.matrix, &interval.level), 0.849, 3);
}

#[test]
fn the_long_csv_refuses_bad_rows_by_line() {
    let errors = parse(b"unit,who,value\n1,A,x\n", false).unwrap_err();
    assert_eq!(errors[0].line, 1);
    assert!(errors[0].message.contains("\"who\""), "{}", errors[0].message);

    let bad = b"unit,coder,value\n1,A,yes\n1,A,no\n,B,yes\n2,B,\"yes\n";
    let errors = parse(bad, false).unwrap_err();
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 5], "{errors:?}");
    assert!(errors[0].message.contains("A already coded 1 on line 2"));

    let errors = parse(b"unit,coder,value\n1,A,3\n1,B,three\n2,A,1;2\n", true).unwrap_err();
    assert_eq!(errors.len(), 2);
    assert!(errors[0].to_string().starts_with("line 3: \"three\" is not a number"));
    assert!(errors[1].message.contains("several"));
}

#[test]
fn the_long_csv_keeps_several_codes_apart_and_numbers_in_one_spelling() {
    let file = "unit,coder,value\nr1,A,b; a\nr1,B,a;b\nr2,A,a\nr2,B,\"a;c\"\n";
    let codings = parse(file.as_bytes(), false).expect("a good file");
    let (codes, sets) = codings.multi.expect("several codes");
    assert_eq!(codes, ["a", "b", "c"]);
    assert_eq!(codings.categories, ["a;b", "a", "a;c"]);
    assert_eq!(per_code(&sets).len(), 3);
    let numbers = parse(b"unit,coder,value\n1,A,3\n1,B,3.0\n", true).unwrap();
    close(&percent_agreement(&numbers.matrix), 100.0, 10);
}

proptest! {
    /// Whatever the codings, every statistic is a finite number or undefined with a reason.
    #[test]
    fn never_nan_never_a_panic(
        cells in prop::collection::vec(prop::collection::vec(prop::option::of(0usize..4), 0..5), 0..12),
        interval in any::<bool>(),
    ) {
        let mut m = Matrix::new(0, 0);
        for row in cells {
            m.push(row);
        }
        let level = if interval { Level::Interval(vec![0.0, 1.0, 5.0, 5.0]) } else { Level::Nominal };
        let s = statistics(&m, &level);
        for e in [&s.percent_agreement, &s.cohen_kappa, &s.krippendorff_alpha, &s.gwet_ac1] {
            match e {
                Estimate::Value(v) => prop_assert!(v.is_finite()),
                Estimate::Undefined(why) => prop_assert!(!why.is_empty()),
            }
        }
    }
}

#[test]
fn interval_alpha_does_not_depend_on_where_the_numbers_start() {
    // Nine units where two coders agree, one where they differ by 2; then the same shifted to
    // numbers the size of Unix times, where a one-pass sum of squares would lose the answer.
    let alpha_from = |base: f64| {
        let values: Vec<f64> = (0..3).map(|i| base + f64::from(i)).collect();
        let mut m = Matrix::new(2, 3);
        for unit in 0..9 {
            m.push(vec![Some(unit % 3), Some(unit % 3)]);
        }
        m.push(vec![Some(0), Some(2)]);
        krippendorff_alpha(&m, &Level::Interval(values)).value().expect("a value")
    };
    let small = alpha_from(0.0);
    for base in [1e7, 1e8, 1.7e9, -3.5e12] {
        assert!((alpha_from(base) - small).abs() < 1e-9, "{base}: {} against {small}", alpha_from(base));
    }
    let mut same = Matrix::new(2, 2);
    same.push(vec![Some(0), Some(1)]);
    same.push(vec![Some(1), Some(0)]);
    // Two categories with one value: no variation, whatever their spelling.
    undefined(&krippendorff_alpha(&same, &Level::Interval(vec![4.0, 4.0])), "no variation");
}

#[test]
fn the_long_csv_refuses_what_would_lose_rows_silently() {
    let lines = |bytes: &[u8]| -> Vec<(u64, String)> {
        parse(bytes, false).unwrap_err().into_iter().map(|e| (e.line, e.message)).collect()
    };
    let unclosed = lines(b"unit,coder,value\n1,A,\"yes\n1,B,yes\n2,A,no\n2,B,no\n");
    assert_eq!(unclosed[0].0, 2, "{unclosed:?}");
    assert!(unclosed[0].1.contains("quote"), "{unclosed:?}");
    let short = lines(b"unit,coder,value\n1,A\n");
    assert_eq!(short, [(2, "the row has 2 field(s); the first line names 3".to_string())]);
    assert!(lines(b"unit,coder,value,Value\n")[0].1.contains("two columns are named value"));
    assert!(lines(b"")[0].1.contains("the file is empty"));
    assert!(lines(b"unit,coder,value\n1,A,\xff\n")[0].1.contains("not UTF-8"));
    let numbers = parse(b"unit,coder,value\n1,A,-0\n1,B,0\n", true).unwrap();
    close(&percent_agreement(&numbers.matrix), 100.0, 10);
    let huge = parse(b"unit,coder,value\n1,A,1e400\n", true).unwrap_err();
    assert!(huge[0].message.contains("too large"), "{huge:?}");
}
