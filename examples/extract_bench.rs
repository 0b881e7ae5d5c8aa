//! Attachment text extraction rate, by type, in MB of file a second.
//!
//! Each type is measured on a large file made from the fixtures in tests/fixtures/attachments
//! (their body repeated) or generated (a PDF of many pages, an XLSX of many rows), and on the
//! small fixture itself, as replies carry it. Each is read twice in the same run: in this process
//! (the baseline: the reader alone) and through the child process foitrack really uses, so the
//! ratio is what the isolation costs. Rates are in MB of the file as it arrived; a ZIP-based
//! file (DOCX, ODT, XLSX, ODS) holds several times as much XML.
//!
//! ```sh
//! cargo build --release --bin foitrack --example extract_bench
//! ./target/release/examples/extract_bench
//! ```

use std::io::{Cursor, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use foitrack::extract::child::{Extractor, Limits};
use foitrack::extract::{Extracted, Format, read};

#[derive(clap::Parser)]
#[command(name = "extract_bench")]
struct Args {
    /// The foitrack program the children run; by default the one built beside this example.
    #[arg(long, value_name = "PATH")]
    program: Option<PathBuf>,
    /// How many times each file is read, each way.
    #[arg(long, value_name = "N", default_value_t = 5)]
    runs: usize,
    /// How many times the fixtures' bodies are repeated in the large files.
    #[arg(long, value_name = "N", default_value_t = 400)]
    repeat: usize,
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/attachments");

fn main() -> anyhow::Result<()> {
    let args: Args = clap::Parser::parse();
    let program = match args.program {
        Some(p) => p,
        None => std::env::current_exe()?.parent().and_then(|d| d.parent()).unwrap().join("foitrack"),
    };
    anyhow::ensure!(program.exists(), "{} is missing: build it with --bin foitrack", program.display());
    let extractor = Extractor::new(program, Limits { cpu_seconds: 120, wall_seconds: 300, memory_mb: 2048 });
    let fixture = |name: &str| std::fs::read(format!("{FIXTURES}/{name}"));
    let n = args.repeat;
    let files: Vec<(&str, Format, Vec<u8>)> = vec![
        ("PDF, 1 page (fixture)", Format::Pdf, fixture("letter.pdf")?),
        ("PDF, generated", Format::Pdf, pdf(n / 4)),
        ("DOCX (fixture)", Format::Docx, fixture("letter.docx")?),
        (
            "DOCX, body repeated",
            Format::Docx,
            rezip(&fixture("letter.docx")?, "word/document.xml", "<w:p>", "<w:sectPr", n)?,
        ),
        (
            "ODT, body repeated",
            Format::Odt,
            rezip(&fixture("letter.odt")?, "content.xml", "<text:p", "</office:text>", n)?,
        ),
        ("XLSX (fixture)", Format::Spreadsheet, fixture("staff.xlsx")?),
        ("XLSX, generated", Format::Spreadsheet, xlsx(n * 50)?),
        ("XLS (fixture)", Format::Spreadsheet, fixture("staff.xls")?),
        (
            "ODS, rows repeated",
            Format::Spreadsheet,
            rezip(&fixture("staff.ods")?, "content.xml", "<table:table-row", "</table:table>", n * 10)?,
        ),
        ("HTML, body repeated", Format::Html, repeat(&fixture("letter.html")?, b"<p>", b"</body>", n)),
        ("RTF, body repeated", Format::Rtf, repeat(&fixture("letter.rtf")?, b"\\pard", b"}", n)),
    ];
    println!("| file | size | text | in process | child process | child / in process |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, format, data) in &files {
        let Extracted::Text(text) = read(*format, data) else { anyhow::bail!("{label}: no text") };
        let inside = time(args.runs, || read(*format, data))?;
        let child = time(args.runs, || extractor.extract(*format, data))?;
        let mb = data.len() as f64 / 1e6;
        println!(
            "| {label} | {} | {} | {} | {} | {:.2} |",
            size(data.len()),
            size(text.len()),
            rate(mb, inside),
            rate(mb, child),
            child.as_secs_f64() / inside.as_secs_f64()
        );
    }
    Ok(())
}

/// The median time of `runs` reads; a read that fails is a broken benchmark.
fn time(runs: usize, mut f: impl FnMut() -> Extracted) -> anyhow::Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        match f() {
            Extracted::Text(text) => anyhow::ensure!(!text.is_empty(), "no text"),
            Extracted::Failed(why) => anyhow::bail!("the read failed: {why}"),
        }
        times.push(start.elapsed());
    }
    times.sort();
    Ok(times[runs / 2])
}

fn rate(mb: f64, t: Duration) -> String {
    format!("{:.1} MB/s ({:.1} ms)", mb / t.as_secs_f64(), t.as_secs_f64() * 1e3)
}

fn size(bytes: usize) -> String {
    match bytes {
        1_000_000.. => format!("{:.1} MB", bytes as f64 / 1e6),
        1_000.. => format!("{} KB", bytes / 1000),
        _ => format!("{bytes} B"),
    }
}

/// `data` with what lies from the first `start` to the last `end` repeated.
fn repeat(data: &[u8], start: &[u8], end: &[u8], times: usize) -> Vec<u8> {
    let a = data.windows(start.len()).position(|w| w == start).expect("start marker");
    let b = data.windows(end.len()).rposition(|w| w == end).expect("end marker");
    let mut out = data[..a].to_vec();
    for _ in 0..times {
        out.extend_from_slice(&data[a..b]);
    }
    out.extend_from_slice(&data[b..]);
    out
}

/// A copy of a ZIP-based document with part `name`'s body repeated.
fn rezip(data: &[u8], name: &str, start: &str, end: &str, times: usize) -> anyhow::Result<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(data))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let entry_name = entry.name()?.to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if entry_name == name {
            bytes = repeat(&bytes, start.as_bytes(), end.as_bytes(), times);
        }
        out.start_file(entry_name, options)?;
        out.write_all(&bytes)?;
    }
    Ok(out.finish()?.into_inner())
}

/// An XLSX of `rows` rows of five cells, text and numbers, as few parts as Excel accepts.
fn xlsx(rows: usize) -> anyhow::Result<Vec<u8>> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for r in 1..=rows {
        sheet.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Staff group {r}</t></is></c><c r="B{r}" t="inlineStr"><is><t>Yes</t></is></c><c r="C{r}"><v>{}</v></c><c r="D{r}" t="inlineStr"><is><t>External provider</t></is></c><c r="E{r}"><v>{}.5</v></c></row>"#,
            r * 7 % 1000,
            r % 97
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        out.start_file(name, options)?;
        out.write_all(body.as_bytes())?;
    }
    Ok(out.finish()?.into_inner())
}

/// A PDF of `pages` pages of 45 lines each in Helvetica, uncompressed, as simple writers make.
fn pdf(pages: usize) -> Vec<u8> {
    let line = "The Trust offers active bystander training to staff, delivered by an external provider";
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        Vec::new(), // the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    let mut kids = Vec::new();
    for p in 0..pages {
        let mut content = String::from("BT /F1 10 Tf 50 800 Td 14 TL\n");
        for l in 0..45 {
            content.push_str(&format!("({line}, page {p} line {l}.) Tj T*\n"));
        }
        content.push_str("ET");
        objects.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes());
        let content_id = objects.len();
        objects.push(
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>")
                .into_bytes(),
        );
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")).into_bytes();
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}
