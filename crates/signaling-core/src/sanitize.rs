//! Text sanitizing for anything that is shown to other users.
//!
//! Chat is plain text: markup is neutralized by escaping `& < > " '`, control
//! characters (other than newline and tab) and bidi overrides are removed, so
//! that no script or markup survives whatever the client renders it into.

/// Escapes HTML metacharacters and strips control and bidi-override characters.
pub fn sanitize_text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{FEFF}' => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// What a name must contain to survive [`sanitize_name`] non-empty: one
/// character that is neither white space (Unicode `White_Space`, listed, so
/// that no engine's idea of `\s` matters), a control character, nor one of
/// the invisible characters removed. An (unanchored) ECMA-262 pattern for
/// the API document, checked against `sanitize_name` in this module.
pub const VISIBLE_PATTERN: &str = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202a-\u202f\u205f\u2066-\u2069\u3000\ufeff]";

/// A display name: sanitized, single line, at most `max` characters.
pub fn sanitize_name(input: &str, max: usize) -> String {
    let s = sanitize_text(&input.replace(['\n', '\t'], " "));
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_pattern_matches_what_a_name_keeps() {
        let re = regex_lite::Regex::new(VISIBLE_PATTERN).unwrap();
        for s in [
            "",
            " ",
            "\t\n",
            "\u{200B}",
            "\u{202E}\u{FEFF}",
            "\u{0085}",
            "\u{3000}",
            "a",
            " b ",
            "\u{200B}x",
            "é",
            "<",
            "\u{1F600}",
            "\u{7F}\u{9F}",
            "\u{00A0}",
        ] {
            assert_eq!(re.is_match(s), !sanitize_name(s, 64).is_empty(), "{s:?}");
        }
    }

    #[test]
    fn hostile_inputs_are_neutralized() {
        let cases = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "\"><svg/onload=alert(1)>",
            "javascript:alert('x')",
            "<a href='javascript:1'>x</a>",
        ];
        for c in cases {
            let s = sanitize_text(c);
            assert!(
                !s.contains('<') && !s.contains('>') && !s.contains('"') && !s.contains('\''),
                "{c} -> {s}"
            );
        }
    }

    #[test]
    fn controls_and_bidi_overrides_removed_text_kept() {
        assert_eq!(sanitize_text("a\u{0}b\u{202E}c\u{7}"), "abc");
        assert_eq!(sanitize_text("  héllo 👋\nworld  "), "héllo 👋\nworld");
        assert_eq!(sanitize_name("a\nb", 64), "a b");
        assert_eq!(sanitize_name(&"x".repeat(100), 10).len(), 10);
    }
}
