//! Hashes whose values are stored or compared outside one run, so they must never change.

use xxhash_rust::xxh3::xxh3_64;

/// The 64-bit hash of a normalized text: xxh3_64 with seed 0, bit for bit the `xxhash` package's
/// `xxh3_64_intdigest` (allow-list files store these values as `xxh3:` keys).
pub fn text_hash(text: &[u8]) -> u64 {
    xxh3_64(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_hash_is_xxh3_64_of_the_bytes() {
        // Values from Python's xxhash.xxh3_64_intdigest: short, multi-byte and long (>240 bytes) inputs take
        // different paths through xxh3.
        assert_eq!(text_hash(b""), 0x2d06800538d394c2);
        assert_eq!(text_hash(b"the cat sat"), 0x080626c4ce4310dd);
        assert_eq!(
            text_hash("h\u{e9}llo w\u{f6}rld \u{65e5}\u{672c}".as_bytes()),
            0x6c5dca4e36b536cd
        );
        let long: Vec<u8> = (0..3).flat_map(|_| 0..=255u8).collect();
        assert_eq!(text_hash(&long), 0x4066a57f4496584a);
    }
}
