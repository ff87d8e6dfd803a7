//! The review page's per-file rows, pasted into its script as they were written (`report.html._page_rows`).

/// Whether bytes are UTF-8: a page's rows are checked so, all at once (Python can only decode them, which
/// makes a string of megabytes to throw away).
pub fn is_utf8(data: &[u8]) -> bool {
    std::str::from_utf8(data).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_told_from_other_bytes() {
        assert!(is_utf8(b"{\"x\":\"\xc3\xa9\"}\n{}"));
        assert!(is_utf8(b""));
        assert!(!is_utf8(b"{\"x\":\"\xc3\"}\n"));
        assert!(!is_utf8(b"\xed\xa0\x80")); // a surrogate's encoding
    }
}
