//! Files uuencoded inline in a text body (`begin 644 name` … `end`), as old mail clients and
//! some case-management systems still send them.

/// Largest file decoded from one block; a longer block is left in the text.
const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Takes every well-formed uuencoded block out of `text`, returning the files (name, bytes) and
/// leaving the rest of the text in place. A block that does not decode stays in the text.
pub fn extract(text: &mut String) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut kept = String::with_capacity(text.len());
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        if let Some(name) = begin_line(lines[i])
            && let Some((data, used)) = decode_block(&lines[i + 1..])
        {
            files.push((name, data));
            i += 1 + used;
            continue;
        }
        kept.push_str(lines[i]);
        i += 1;
    }
    if !files.is_empty() {
        *text = kept;
    }
    files
}

/// The file name of a `begin MODE NAME` line.
fn begin_line(line: &str) -> Option<String> {
    let rest = line.trim_end().strip_prefix("begin ")?;
    let (mode, name) = rest.split_once(' ')?;
    let ok = (3..=4).contains(&mode.len()) && mode.bytes().all(|b| (b'0'..=b'7').contains(&b));
    let name = name.trim();
    (ok && !name.is_empty()).then(|| name.rsplit(['/', '\\']).next().unwrap_or(name).to_string())
}

/// Decodes lines up to `end`, returning the bytes and how many lines were used (with `end`).
fn decode_block(lines: &[&str]) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    for (n, raw) in lines.iter().enumerate() {
        let line = raw.trim_end_matches(['\r', '\n']);
        if line == "end" {
            return Some((out, n + 1));
        }
        let bytes = line.as_bytes();
        let &first = bytes.first()?;
        let len = usize::from(first.wrapping_sub(b' ') & 0x3f);
        if len == 0 {
            continue;
        }
        let chars = &bytes[1..];
        if chars.len() < len.div_ceil(3) * 4 || !chars.iter().all(|&c| (b' '..=b'`').contains(&c)) {
            return None;
        }
        let value = |c: u8| (c.wrapping_sub(b' ')) & 0x3f;
        let mut line_out = Vec::with_capacity(len + 2);
        for quad in chars.chunks(4).take(len.div_ceil(3)) {
            let [a, b, c, d] = [quad[0], quad[1], quad[2], quad[3]].map(value);
            line_out.extend([(a << 2) | (b >> 4), (b << 4) | (c >> 2), (c << 6) | d]);
        }
        line_out.truncate(len);
        out.extend(line_out);
        if out.len() > MAX_BYTES {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_file_is_taken_out_of_the_text() {
        // "Cat" and "Hello, world!\n" as Python's binascii.b2a_uu writes them, backtick style.
        let mut text =
            "Please see the note.\n\nbegin 644 note.txt\n.2&5L;&\\L('=O<FQD(0H`\n`\nend\nRegards\n"
                .to_string();
        let files = extract(&mut text);
        assert_eq!(files, vec![("note.txt".to_string(), b"Hello, world!\n".to_vec())]);
        assert_eq!(text, "Please see the note.\n\nRegards\n");
    }

    #[test]
    fn broken_blocks_and_lookalikes_stay_in_the_text() {
        for original in [
            "begin 644 note.txt\n.2&5L;&\\L\n",
            "begin 644 a.txt\n#0V%T\n",
            "begin the meeting at 10\nend\n",
            "begin 999 x\n`\nend\n",
        ] {
            let mut text = original.to_string();
            assert!(extract(&mut text).is_empty(), "{original:?}");
            assert_eq!(text, original);
        }
        let mut cat = "begin 600 C:\\docs\\cat.txt\n#0V%T\n`\nend\n".to_string();
        assert_eq!(extract(&mut cat), vec![("cat.txt".to_string(), b"Cat".to_vec())]);
    }
}
