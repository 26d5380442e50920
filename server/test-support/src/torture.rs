//! The hostile files of the torture tests (`tests/cli/torture.rs`, `tests/lsp/torture.rs`),
//! generated from seeds so every run sees the same bytes.

/// A small xorshift generator: the tests need reproducible noise, not good randomness.
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Noise {
        Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `len` bytes of uniform noise: mostly invalid UTF-8, with NULs and stray delimiters.
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut noise = Noise::new(seed);
    (0..len).map(|_| noise.next_u64() as u8).collect()
}

/// About `len` bytes of yin's own tokens in random order: unbalanced brackets, reader macros,
/// strings cut short, astral characters and every kind of line break.
pub fn random_tokens(seed: u64, len: usize) -> String {
    const TOKENS: &[&str] = &[
        "(", ")", "[", "]", "{", "}", "#{", "#(", "'", "`", "~", "~@", "@", "^", "#_", "#'", "\"",
        "\\", ";", " ", "\n", "\r\n", "\r", "\t", "x", "defn", "fn", "let", "loop", "recur", "if",
        "def", "quote", "1", "-2.5", "1/0", "3/4", "1e999", "\\a", ":k", "::k", "nil", "true",
        "#\"re\"", "𝕏", "é", "\u{0}", "%", "%1", "&", ".", "/", "a/b",
    ];
    let mut noise = Noise::new(seed);
    let mut text = String::new();
    while text.len() < len {
        text.push_str(TOKENS[noise.below(TOKENS.len())]);
    }
    text
}

/// `open` repeated `depth` times, an `x`, then `close` as many times.
pub fn nested(open: &str, close: &str, depth: usize) -> String {
    format!("{}x{}", open.repeat(depth), close.repeat(depth))
}

/// Forms left open at every level, as a half-typed file has them.
pub const UNCLOSED: &str = "(defn f [x\n  (let [y {:a (+ 1 2\n    #{[\"s\" \\a\n(g";

/// One line of more than 5 MB: a definition, then a 5,000,000-character symbol.
pub fn long_line() -> String {
    format!("(def s 1) {}\n", "z".repeat(5_000_000))
}

/// One line of more than 5 MB holding a 5,000,000-character string and its count.
pub fn long_string_line() -> String {
    format!("(def s \"{}\") (count s)\n", "ab".repeat(2_500_000))
}

/// Bytes that are not UTF-8: a lone continuation pair, a bad sequence, an encoded surrogate.
pub const INVALID_UTF8: &[u8] = b"(def s \"\xff\xfe\")\n(+ 1 \xc3\x28)\n(println \xed\xa0\x80)\n";

/// NUL bytes inside a token, between forms and at the end of a line.
pub const NUL_BYTES: &[u8] = b"(def x\x00 1)\n\x00\x00(+ x 1)\x00\n";
