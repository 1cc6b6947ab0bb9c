//! [`RelayText`]: a string one client sends another through the server (an
//! SDP), kept with the JSON string literal it arrived as, so relaying it
//! writes those bytes back instead of escaping the text a second time. At
//! 3 KB an offer's escaping was a fifth of the server's work on it.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A relayed string: its text, and the literal a client wrote it as.
///
/// Equal when the texts are; it serializes as its literal when it has one
/// (the same string, perhaps escaped differently: `\u0041` for `A`), else
/// as its text, and deserializes from a plain string (no literal), so any
/// serde format reads and writes it as a string.
#[derive(Clone, Default)]
pub struct RelayText {
    text: String,
    /// The literal with its quotes, checked to be a JSON string (its text
    /// was parsed out of it); `None` for text made on this side.
    literal: Option<Box<RawValue>>,
}

impl RelayText {
    /// Reads a JSON value as a client wrote it: a string, kept with its
    /// literal. Anything else (a number, an object, a lone surrogate
    /// escape) is an error.
    pub fn from_literal(literal: &RawValue) -> Result<Self, serde_json::Error> {
        let text = match unescape(literal.get()) {
            Some(text) => text,
            None => serde_json::from_str::<String>(literal.get())?,
        };
        Ok(Self {
            text,
            literal: Some(literal.to_owned()),
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// How long it is as JSON: its literal, or about that (its text and
    /// two quotes) when it has none.
    pub fn json_len(&self) -> usize {
        self.literal
            .as_ref()
            .map_or(self.text.len() + 2, |l| l.get().len())
    }

    /// The text, without its literal.
    pub fn into_string(self) -> String {
        self.text
    }
}

/// The text of `literal`, a JSON value serde_json has checked, when it is
/// a string whose escapes are all one-letter ones (`\r\n` in an SDP): one
/// pass that copies the runs between backslashes, where serde_json scans
/// into a scratch buffer first. `None` (serde_json's turn) for anything
/// else, a `\u` escape included.
fn unescape(literal: &str) -> Option<String> {
    let mut rest = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(rest.len());
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        out.push(match rest.as_bytes().get(i + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => return None,
        });
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    Some(out)
}

impl From<String> for RelayText {
    fn from(text: String) -> Self {
        Self {
            text,
            literal: None,
        }
    }
}

impl From<&str> for RelayText {
    fn from(text: &str) -> Self {
        Self::from(text.to_owned())
    }
}

impl Deref for RelayText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq for RelayText {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for RelayText {}

impl fmt::Debug for RelayText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl Serialize for RelayText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.literal {
            // serde_json writes it unchanged; `serde_json::to_value` parses it.
            Some(raw) => raw.serialize(serializer),
            None => serializer.serialize_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for RelayText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn a_literal_is_written_back_as_it_came_and_reads_as_its_text() {
        let t = RelayText::from_literal(&raw(r#""v=0\r\na=\u0041""#)).unwrap();
        assert_eq!(t.as_str(), "v=0\r\na=A");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""v=0\r\na=\u0041""#,
            "the sender's escapes are kept"
        );
        assert_eq!(serde_json::to_value(&t).unwrap(), "v=0\r\na=A");
        assert_eq!(t, RelayText::from("v=0\r\na=A"));
    }

    #[test]
    fn text_made_here_is_escaped() {
        let t = RelayText::from("a\"b\n");
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""a\"b\n""#);
        let back: RelayText = serde_json::from_str(r#""a\"b\n""#).unwrap();
        assert_eq!(back.as_str(), "a\"b\n");
    }

    proptest::proptest! {
        /// The one-pass unescape agrees with serde_json on every string,
        /// written by serde_json (`\u` for control characters) or with
        /// every one-letter escape a client may use instead.
        #[test]
        fn the_text_is_what_serde_json_reads(s in "\\PC*|[\"\\\\/\u{8}\u{c}\n\r\ta-z]*") {
            let written = serde_json::to_string(&s).unwrap();
            let short = written.replace("\\u0008", "\\b").replace("\\u000c", "\\f").replace('/', "\\/");
            for lit in [written, short] {
                let t = RelayText::from_literal(&raw(&lit)).unwrap();
                proptest::prop_assert_eq!(t.as_str(), s.as_str(), "{}", lit);
            }
        }
    }

    #[test]
    fn only_a_string_literal_is_taken() {
        for bad in ["42", "{\"a\":1}", "null", r#""\ud800""#] {
            assert!(RelayText::from_literal(&raw(bad)).is_err(), "{bad}");
        }
    }
}
