//! Decoding the text files people export from Excel: UTF-8 (with or without BOM), UTF-16 with
//! BOM ("Unicode text"), and GBK/GB18030 (the default of Chinese Windows).

use encoding_rs::{Encoding, GB18030, UTF_8};

/// The encoding a file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Bom,
    /// GBK or GB18030 (GB18030 is a superset, and decodes both).
    Gb18030,
}

/// Decodes a whole file. Bytes that are neither valid UTF-8 nor GB18030 give `Err` with the
/// byte offset of the first bad sequence.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), usize> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(first_invalid_utf8(&bytes[bom_len..]).unwrap_or(0) + bom_len);
        }
        let kind = if encoding == UTF_8 {
            TextEncoding::Utf8Bom
        } else {
            TextEncoding::Utf16Bom
        };
        return Ok((text.into_owned(), kind));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), TextEncoding::Utf8)),
        // Valid UTF-8 Chinese before the first bad byte: a file pasted together from UTF-8 and
        // GBK parts. Decoding it all as GB18030 would garble the UTF-8 part silently.
        Err(utf8_error) if !bytes[..utf8_error.valid_up_to()].is_ascii() => {
            Err(utf8_error.valid_up_to())
        }
        Err(utf8_error) => {
            let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                Err(utf8_error.valid_up_to())
            } else {
                Ok((text.into_owned(), TextEncoding::Gb18030))
            }
        }
    }
}

fn first_invalid_utf8(bytes: &[u8]) -> Option<usize> {
    std::str::from_utf8(bytes).err().map(|e| e.valid_up_to())
}

/// 1-based line number of a byte offset, for locating undecodable bytes.
pub fn line_of_offset(bytes: &[u8], offset: usize) -> u64 {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// Guesses the field delimiter from the first lines: the candidate (comma, tab, semicolon)
/// that appears most often outside quotes on the most lines.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize);
    for candidate in [b',', b'\t', b';'] {
        let score: usize = lines
            .iter()
            .map(|line| count_outside_quotes(line, candidate))
            .sum();
        if score > best.1 {
            best = (candidate, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut in_quotes = false;
    let mut count = 0;
    for b in line.bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delimiter && !in_quotes {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(
            decode("代码,名称".as_bytes()).unwrap(),
            ("代码,名称".to_string(), TextEncoding::Utf8)
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("代码".as_bytes());
        assert_eq!(
            decode(&bom).unwrap(),
            ("代码".to_string(), TextEncoding::Utf8Bom)
        );
    }

    #[test]
    fn gbk_and_four_byte_gb18030_decode() {
        let (gbk, _, _) = GB18030.encode("代码,名称\r\n510104,锦江区\r\n");
        let (text, enc) = decode(&gbk).unwrap();
        assert_eq!(enc, TextEncoding::Gb18030);
        assert!(text.contains("锦江区"));
        // 𠀾 needs a four-byte GB18030 sequence; rare characters in real village names do too.
        let (rare, _, _) = GB18030.encode("𠀾村,垵,埇,硚,碶");
        assert_eq!(decode(&rare).unwrap().0, "𠀾村,垵,埇,硚,碶");
    }

    #[test]
    fn utf8_text_with_a_gbk_line_is_refused_at_that_line() {
        let mut bytes = "代码,名称\n1,锦江区\n".as_bytes().to_vec();
        bytes.extend_from_slice(&GB18030.encode("2,金堂县\n").0);
        let offset = decode(&bytes).unwrap_err();
        assert_eq!(line_of_offset(&bytes, offset), 3);
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "代码\t名称".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            decode(&bytes).unwrap(),
            ("代码\t名称".to_string(), TextEncoding::Utf16Bom)
        );
    }

    #[test]
    fn delimiter_is_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t\"x,y,z\"\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n"), b';');
    }

    #[test]
    fn line_of_offset_counts_newlines() {
        assert_eq!(line_of_offset(b"ab\ncd\nef", 7), 3);
        assert_eq!(line_of_offset(b"ab", 0), 1);
    }
}
