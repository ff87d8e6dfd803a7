//! A web archive's response bodies in the content encodings Python's standard library does not read: brotli
//! (`Content-Encoding: br`), which browsers ask for and browser-driven crawlers record as it came.

use std::io::Read;

/// Why a body could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum Undecoded {
    /// More than the limit once decoded (a few KB of brotli may expand to gigabytes).
    TooLarge,
    /// Not brotli data, or cut short.
    Invalid,
}

/// Buffer the decoder reads the compressed bytes through.
const BUFFER: usize = 8192;

/// The body a brotli stream decodes to, if it is at most `limit` bytes; the decoder stops once it has made one
/// byte more than that, whatever the stream would make.
pub fn unbrotli(data: &[u8], limit: usize) -> Result<Vec<u8>, Undecoded> {
    let mut out = Vec::new();
    let decoder = brotli_decompressor::Decompressor::new(data, BUFFER);
    decoder
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| Undecoded::Invalid)?;
    if out.len() > limit {
        Err(Undecoded::TooLarge)
    } else {
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "hello, hello, hello, brotli\n" as `brotli -q 11` writes it.
    const HELLO: &[u8] = b"\x21\x6c\x00\x04\x68\x65\x6c\x6c\x6f\x2c\x20\x68\x65\x6c\x6c\x6f\x2c\x20\x68\x65\x6c\x6c\x6f\x2c\x20\x62\x72\x6f\x74\x6c\x69\x0a\x03";

    #[test]
    fn a_stream_decodes_to_its_body() {
        assert_eq!(unbrotli(HELLO, 1 << 20).unwrap(), b"hello, hello, hello, brotli\n");
    }

    #[test]
    fn a_body_over_the_limit_is_refused() {
        assert_eq!(unbrotli(HELLO, 10), Err(Undecoded::TooLarge));
        assert_eq!(unbrotli(HELLO, 28).unwrap().len(), 28);
    }

    #[test]
    fn other_bytes_and_cut_streams_are_invalid() {
        assert_eq!(unbrotli(b"<html>not brotli</html>", 1 << 20), Err(Undecoded::Invalid));
        assert_eq!(unbrotli(&HELLO[..HELLO.len() - 3], 1 << 20), Err(Undecoded::Invalid));
    }
}
