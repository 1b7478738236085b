//! Decoding the text files people export from Excel: UTF-8 (with or without BOM), UTF-16 with
//! BOM ("Unicode text"), and GBK/GB18030 (the default of Chinese Windows).

use std::io::{self, Read};

use encoding_rs::{Encoding, GB18030, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// The encoding a file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Bom,
    /// GBK or GB18030 (GB18030 is a superset, and decodes both).
    Gb18030,
}

/// How many bytes after the first non-ASCII byte are checked to tell UTF-8 from GBK.
const SNIFF_WINDOW: usize = 4096;

/// Decides a file's encoding from its start: its BOM, else whether the first non-ASCII text is
/// valid UTF-8 (else GBK/GB18030). Reads only as far as the first non-ASCII bytes and a short
/// window after them, so a large file is not read twice. Mixed files are caught row by row
/// while reading (see `table`).
pub fn sniff_encoding(reader: &mut impl Read) -> io::Result<TextEncoding> {
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut first = true;
    loop {
        let n = read_full(reader, &mut chunk)?;
        let eof = n < chunk.len();
        buf.extend_from_slice(&chunk[..n]);
        if first {
            first = false;
            if let Some((encoding, _)) = Encoding::for_bom(&buf) {
                return Ok(if encoding == UTF_8 {
                    TextEncoding::Utf8Bom
                } else {
                    TextEncoding::Utf16Bom
                });
            }
        }
        match buf.iter().position(|b| !b.is_ascii()) {
            Some(at) if eof || buf.len() >= at + SNIFF_WINDOW => {
                let window = &buf[at..buf.len().min(at + SNIFF_WINDOW)];
                return Ok(match std::str::from_utf8(window) {
                    Ok(_) => TextEncoding::Utf8,
                    // Cut off mid-character at the window's end: still UTF-8.
                    Err(e) if e.error_len().is_none() && !eof => TextEncoding::Utf8,
                    // Several Chinese characters of valid UTF-8 before a bad byte: a UTF-8
                    // file with a GBK part pasted in, refused at that row when it is read.
                    // (GBK text almost never looks like three UTF-8 characters in a row.)
                    Err(e) if utf8_chars(&window[..e.valid_up_to()]) >= 3 => TextEncoding::Utf8,
                    Err(_) => TextEncoding::Gb18030,
                });
            }
            Some(_) => {}
            None if eof => return Ok(TextEncoding::Utf8),
            None => buf.clear(),
        }
    }
}

/// The non-ASCII characters of valid UTF-8 `bytes`.
fn utf8_chars(bytes: &[u8]) -> usize {
    std::str::from_utf8(bytes)
        .map(|s| s.chars().filter(|c| !c.is_ascii()).count())
        .unwrap_or(0)
}

/// Reads until `buf` is full or the reader is exhausted; returns the bytes read.
pub(crate) fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A reader giving UTF-8 text from `raw` in `encoding`, without a BOM. UTF-8 passes through
/// unchecked (rows are checked as they are read); bytes GB18030 or UTF-16 cannot decode
/// become U+FFFD, which the table reader reports.
pub fn decoding_reader<R: Read>(raw: R, encoding: TextEncoding) -> impl Read {
    let explicit = match encoding {
        TextEncoding::Gb18030 => Some(GB18030),
        _ => None,
    };
    DecodeReaderBytesBuilder::new()
        .encoding(explicit)
        .utf8_passthru(true)
        .strip_bom(true)
        .build(raw)
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

    fn sniff(bytes: &[u8]) -> TextEncoding {
        sniff_encoding(&mut &bytes[..]).unwrap()
    }

    fn decode(bytes: &[u8]) -> String {
        let mut text = String::new();
        decoding_reader(bytes, sniff(bytes))
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(sniff("代码,名称".as_bytes()), TextEncoding::Utf8);
        assert_eq!(decode("代码,名称".as_bytes()), "代码,名称");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("代码".as_bytes());
        assert_eq!(sniff(&bom), TextEncoding::Utf8Bom);
        assert_eq!(decode(&bom), "代码");
        assert_eq!(sniff(b""), TextEncoding::Utf8);
    }

    #[test]
    fn gbk_and_four_byte_gb18030_decode() {
        let (gbk, _, _) = GB18030.encode("代码,名称\r\n510104,锦江区\r\n");
        assert_eq!(sniff(&gbk), TextEncoding::Gb18030);
        assert!(decode(&gbk).contains("锦江区"));
        // 𠀾 needs a four-byte GB18030 sequence; rare characters in real village names do too.
        let (rare, _, _) = GB18030.encode("𠀾村,垵,埇,硚,碶");
        assert_eq!(decode(&rare), "𠀾村,垵,埇,硚,碶");
    }

    #[test]
    fn the_first_non_ascii_text_decides_even_far_into_the_file() {
        let mut ascii = "code,name\n".repeat(20_000).into_bytes();
        ascii.extend_from_slice(&GB18030.encode("1,金堂县\n").0);
        assert_eq!(sniff(&ascii), TextEncoding::Gb18030);
        let mut utf8 = "code,name\n".repeat(20_000).into_bytes();
        utf8.extend_from_slice("1,金堂县\n".as_bytes());
        assert_eq!(sniff(&utf8), TextEncoding::Utf8);
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "代码\t名称".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(sniff(&bytes), TextEncoding::Utf16Bom);
        assert_eq!(decode(&bytes), "代码\t名称");
    }

    #[test]
    fn delimiter_is_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t\"x,y,z\"\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n"), b';');
    }
}
