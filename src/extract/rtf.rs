//! RTF letters, read by a small reader of our own: RTF is plain text with control words, and the
//! words worth keeping are the ones outside the font tables, style sheets and pictures.

/// Destinations whose group holds no text of the letter.
const SKIPPED: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "pict",
    "object",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "listtable",
    "listoverridetable",
    "rsidtbl",
    "generator",
    "xmlnstbl",
    "header",
    "footer",
    "headerl",
    "headerr",
    "headerf",
    "footerl",
    "footerr",
    "footerf",
    "fldinst",
    "filetbl",
    "revtbl",
    "bkmkstart",
    "bkmkend",
    "pgdsctbl",
    "operator",
    "author",
];

/// Nesting deeper than this is not a letter but an attack on the reader.
const MAX_DEPTH: usize = 1_000;

#[derive(Clone, Copy)]
struct Group {
    skip: bool,
    /// How many fallback characters follow each `\uN`.
    uc: usize,
}

pub(super) fn text(data: &[u8]) -> Result<String, String> {
    if !data.starts_with(b"{\\rtf") {
        return Err("the file does not begin as RTF does ({\\rtf)".into());
    }
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new(); // Windows-1252 bytes awaiting decoding
    let mut stack: Vec<Group> = Vec::new();
    let mut group = Group { skip: false, uc: 1 };
    let mut fallback = 0usize; // characters still to skip after a \uN
    let mut i = 0;
    let flush = |bytes: &mut Vec<u8>, out: &mut String| {
        if !bytes.is_empty() {
            out.push_str(&super::windows_1252(bytes));
            bytes.clear();
        }
    };
    while i < data.len() {
        let b = data[i];
        i += 1;
        match b {
            b'{' => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("the RTF nests groups more than {MAX_DEPTH} deep"));
                }
                stack.push(group);
                fallback = 0;
            }
            b'}' => {
                group = stack.pop().unwrap_or(group);
                fallback = 0;
            }
            b'\r' | b'\n' => {}
            b'\\' => {
                let Some(&next) = data.get(i) else { break };
                if next == b'\'' {
                    let hex = data.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                    i += 3;
                    if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        if fallback > 0 {
                            fallback -= 1;
                        } else if !group.skip {
                            bytes.push(byte);
                        }
                    }
                    continue;
                }
                if !next.is_ascii_alphabetic() {
                    i += 1;
                    let symbol = match next {
                        b'\\' | b'{' | b'}' => Some(next as char),
                        b'~' => Some('\u{a0}'),
                        b'_' => Some('-'),
                        b'\n' | b'\r' => Some('\n'),
                        b'*' => {
                            // An optional destination: none that foitrack reads.
                            group.skip = true;
                            None
                        }
                        _ => None,
                    };
                    if let Some(c) = symbol.filter(|_| !group.skip) {
                        flush(&mut bytes, &mut out);
                        out.push(c);
                    }
                    continue;
                }
                let start = i;
                while i < data.len() && data[i].is_ascii_alphabetic() && i - start < 32 {
                    i += 1;
                }
                let word = std::str::from_utf8(&data[start..i]).unwrap_or("");
                let num_start = i;
                if i < data.len() && data[i] == b'-' {
                    i += 1;
                }
                while i < data.len() && data[i].is_ascii_digit() && i - num_start < 12 {
                    i += 1;
                }
                let param: Option<i64> =
                    std::str::from_utf8(&data[num_start..i]).ok().and_then(|n| n.parse().ok());
                if i < data.len() && data[i] == b' ' {
                    i += 1;
                }
                if SKIPPED.contains(&word) {
                    group.skip = true;
                    continue;
                }
                if group.skip {
                    continue;
                }
                let c = match word {
                    "par" | "line" | "sect" | "page" | "row" => Some('\n'),
                    "tab" | "cell" => Some('\t'),
                    "emdash" => Some('\u{2014}'),
                    "endash" => Some('\u{2013}'),
                    "lquote" => Some('\u{2018}'),
                    "rquote" => Some('\u{2019}'),
                    "ldblquote" => Some('\u{201c}'),
                    "rdblquote" => Some('\u{201d}'),
                    "bullet" => Some('\u{2022}'),
                    "uc" => {
                        group.uc = param.unwrap_or(1).clamp(0, 10) as usize;
                        None
                    }
                    "u" => {
                        // A signed 16-bit code unit; negatives wrap to the upper half.
                        let unit = param.unwrap_or(0).rem_euclid(65_536) as u32;
                        fallback = group.uc;
                        Some(char::from_u32(unit).unwrap_or('\u{fffd}'))
                    }
                    _ => None,
                };
                if let Some(c) = c {
                    flush(&mut bytes, &mut out);
                    out.push(c);
                }
            }
            _ if fallback > 0 => fallback -= 1,
            _ if group.skip => {}
            _ => bytes.push(b),
        }
        if out.len() > super::MAX_TEXT_BYTES {
            break;
        }
    }
    flush(&mut bytes, &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtf_keeps_the_letter_and_loses_the_tables() {
        let rtf =
            br"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}}{\colortbl;\red0\green0\blue0;}
{\*\generator Writer;}{\info{\author Jo}}\pard\plain Dear Dr Patel,\par
We hold the information\'92s summary \u8212\'97 see below.\par
{\*\bkmkstart x}Section 12\tab applies\line end \{ok\}}";
        assert_eq!(
            text(rtf).unwrap(),
            "Dear Dr Patel,\nWe hold the information\u{2019}s summary \u{2014} see below.\nSection 12\tapplies\nend {ok}"
        );
    }

    #[test]
    fn hostile_rtf_is_refused_or_read_without_panic() {
        assert!(text(b"not rtf").is_err());
        let deep = format!("{{\\rtf1 {}", "{".repeat(5_000));
        assert!(text(deep.as_bytes()).unwrap_err().contains("nests"));
        for junk in [
            &b"{\\rtf1 \\'"[..],
            b"{\\rtf1 \\u-99999999999999999999",
            b"{\\rtf1 }}}}}\\",
            b"{\\rtf1 \\'zz\\uc99\\u65 abc",
        ] {
            let _ = text(junk).unwrap();
        }
    }
}
