//! The report's charts as SVG, drawn with plotters: each code's count by region, and responses
//! per week. Each chart carries a `<title>` and a `<desc>` giving its figures in words, for
//! screen readers and for anyone who pastes it into a paper without the table beside it.

use chrono::NaiveDate;
use plotters::prelude::*;

/// A chart that could not be drawn: a fault of ours, not of the data.
#[derive(Debug, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(String);

fn fault(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

/// One series of bars: a code's label, its colour (`#rrggbb`), and its count in each group.
pub struct Series<'a> {
    pub label: &'a str,
    pub colour: Option<&'a str>,
    pub counts: Vec<i64>,
}

/// Colours for codes that name none: distinct, and readable by most colour-blind readers.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0xf0, 0xe4, 0x42),
    RGBColor(0x00, 0x00, 0x00),
];

fn colour(given: Option<&str>, i: usize) -> RGBColor {
    let parsed = given.and_then(|c| {
        let hex = c.strip_prefix('#').filter(|h| h.len() == 6)?;
        let byte = |at: usize| u8::from_str_radix(&hex[at..at + 2], 16).ok();
        Some(RGBColor(byte(0)?, byte(2)?, byte(4)?))
    });
    parsed.unwrap_or(PALETTE[i % PALETTE.len()])
}

/// Grouped bars: for each group (a region), one bar per series (a code).
pub fn grouped_bars(title: &str, groups: &[String], series: &[Series]) -> Result<String, ChartError> {
    let mut svg = String::new();
    let top = series.iter().flat_map(|s| s.counts.iter().copied()).max().unwrap_or(0).max(1);
    {
        let width = (160 * groups.len().max(1) as u32 + 200).clamp(640, 1600);
        let root = SVGBackend::with_string(&mut svg, (width, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(fault)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..groups.len().max(1) as f64, 0f64..(top as f64 * 1.15))
            .map_err(fault)?;
        let names = groups.to_vec();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(groups.len().max(1))
            .x_label_formatter(&|x| names.get(x.floor() as usize).cloned().unwrap_or_default())
            .y_desc("Bodies")
            .draw()
            .map_err(fault)?;
        let width = 0.8 / series.len().max(1) as f64;
        for (i, s) in series.iter().enumerate() {
            let fill = colour(s.colour, i);
            let bars = s.counts.iter().enumerate().map(move |(g, &n)| {
                let left = g as f64 + 0.1 + width * i as f64;
                Rectangle::new([(left, 0.0), (left + width * 0.9, n as f64)], fill.filled())
            });
            chart
                .draw_series(bars)
                .map_err(fault)?
                .label(s.label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], fill.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(fault)?;
        root.present().map_err(fault)?;
    }
    let desc: Vec<String> = groups
        .iter()
        .enumerate()
        .map(|(g, name)| {
            let parts: Vec<String> = series
                .iter()
                .map(|s| format!("{} {}", s.label, s.counts.get(g).copied().unwrap_or(0)))
                .collect();
            format!("{name}: {}", parts.join(", "))
        })
        .collect();
    Ok(accessible(svg, title, &desc.join("; ")))
}

/// Responses per week, by the Monday each week starts on.
pub fn weekly_bars(title: &str, weeks: &[(NaiveDate, i64)]) -> Result<String, ChartError> {
    let mut svg = String::new();
    let top = weeks.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    {
        let root = SVGBackend::with_string(&mut svg, (900, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(fault)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..weeks.len().max(1) as f64, 0f64..(top as f64 * 1.15))
            .map_err(fault)?;
        let labels: Vec<String> = weeks.iter().map(|(d, _)| d.format("%-d %b %Y").to_string()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(weeks.len().clamp(1, 12))
            .x_label_formatter(&|x| labels.get(x.floor() as usize).cloned().unwrap_or_default())
            .y_desc("Responses")
            .draw()
            .map_err(fault)?;
        let fill = PALETTE[0];
        chart
            .draw_series(weeks.iter().enumerate().map(|(i, (_, n))| {
                Rectangle::new([(i as f64 + 0.1, 0.0), (i as f64 + 0.9, *n as f64)], fill.filled())
            }))
            .map_err(fault)?;
        root.present().map_err(fault)?;
    }
    let desc: Vec<String> =
        weeks.iter().map(|(d, n)| format!("week of {}: {n}", d.format("%-d %B %Y"))).collect();
    Ok(accessible(svg, title, &desc.join("; ")))
}

/// Adds a `<title>` and a `<desc>` as the SVG's first children, and names it an image by them.
/// Their ids are made from the title, so that several charts on one page each keep their own.
fn accessible(svg: String, title: &str, desc: &str) -> String {
    let Some(open) = svg.find("<svg").and_then(|at| svg[at..].find('>').map(|end| at + end)) else {
        return svg;
    };
    let id = title.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    format!(
        "{} role=\"img\" aria-labelledby=\"chart-{id:08x}-title chart-{id:08x}-desc\">\n<title id=\"chart-{id:08x}-title\">{}</title>\n<desc id=\"chart-{id:08x}-desc\">{}</desc>{}",
        &svg[..open],
        escape(title),
        escape(desc),
        &svg[open + 1..]
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_by_region_carry_their_figures_in_words() {
        let groups = vec!["London".to_string(), "North West".to_string()];
        let series = [
            Series { label: "Yes", colour: Some("#2a9d8f"), counts: vec![20, 3] },
            Series { label: "No <none>", colour: None, counts: vec![9, 30] },
        ];
        let svg = grouped_bars("Offers training", &groups, &series).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
        assert!(svg.contains("-title\">Offers training</title>"), "{svg}");
        let other = grouped_bars(
            "Provider",
            &["London".to_string()],
            &[Series { label: "Yes", colour: None, counts: vec![1] }],
        )
        .unwrap();
        let id = |s: &str| s.split("<title id=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        assert_ne!(id(&svg), id(&other), "two charts on a page keep their own names");
        assert!(
            svg.contains("London: Yes 20, No &lt;none&gt; 9; North West: Yes 3, No &lt;none&gt; 30"),
            "{svg}"
        );
        assert!(svg.contains("#2A9D8F") || svg.contains("#2a9d8f"), "the code's own colour is used");
        assert_eq!(svg.matches("<svg").count(), 1);
    }

    #[test]
    fn weeks_and_empty_data_draw() {
        let monday = NaiveDate::from_ymd_opt(2021, 12, 20).unwrap();
        let svg =
            weekly_bars("Responses", &[(monday, 151), (monday + chrono::Duration::weeks(6), 48)]).unwrap();
        assert!(svg.contains("week of 20 December 2021: 151; week of 31 January 2022: 48"), "{svg}");
        assert!(weekly_bars("Responses", &[]).unwrap().contains("-desc\"></desc>"));
        assert!(grouped_bars("Nothing", &[], &[]).unwrap().contains("<title"));
    }
}
