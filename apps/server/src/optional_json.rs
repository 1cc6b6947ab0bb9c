//! JSON request bodies: `JsonBody<T>` (required) and `OptionalJson<T>`
//! (may be left out). Both read through actix's `web::Json` with the app's
//! `JsonConfig` (its size limit, content-type check and error codes), then
//! hold the body to what the API document says a body is:
//!
//! - a JSON **object**: serde would take `[null, null]` for a struct (its
//!   sequence form), which no client means; any other JSON value is
//!   `422 VALIDATION_ERROR`;
//! - a number with no fraction (`589.0`) is an integer, as JSON Schema has
//!   it, so it fills an integer field.
//!
//! Unlike `Option<crate::optional_json::JsonBody<T>>`, which turns *any* body error into `None`
//! (so `{"ban":"yes"}` silently meant "no ban"), `OptionalJson` is `None`
//! only for a request without a body, or with the body `null`; a body that
//! is there must parse.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};
use signaling_core::{ErrorCode, SignalError};

use crate::http_error::ApiError;

/// A JSON object body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A JSON body, or `None` when the request has no body (no
/// `Content-Length` and no chunked encoding, or `Content-Length: 0`) or the
/// body is `null`.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    /// The body, if one was sent.
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

fn invalid(message: impl Into<String>) -> actix_web::Error {
    ApiError(SignalError::new(ErrorCode::ValidationError, message)).into()
}

/// `589.0` → `589`, everywhere in the value.
fn integral_floats_as_integers(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                *n = Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// The object `v` as a `T`, or `422 VALIDATION_ERROR`.
fn object_as<T: DeserializeOwned>(mut v: Value) -> Result<T, actix_web::Error> {
    if !v.is_object() {
        return Err(invalid("the body must be a JSON object"));
    }
    integral_floats_as_integers(&mut v);
    T::deserialize(strict::Strict(v)).map_err(|e| invalid(format!("Json deserialize error: {e}")))
}

/// A `serde_json::Value` deserializer that gives a struct only an object:
/// serde's derive also takes a struct from an array of its fields in
/// order (`"settings": [true, false]`), which the document does not allow
/// and no client means, at any depth. Integers are int64, as documented:
/// a `u64` field refuses 2^63 and above.
mod strict {
    use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
    use serde::forward_to_deserialize_any;
    use serde_json::{Error, Value};

    /// See the module documentation.
    pub struct Strict(pub Value);

    impl<'de> de::Deserializer<'de> for Strict {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Array(items) => visitor.visit_seq(Seq(items.into_iter())),
                Value::Object(map) => visitor.visit_map(Map {
                    iter: map.into_iter(),
                    value: None,
                }),
                other => de::Deserializer::deserialize_any(other, visitor),
            }
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            _fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            if self.0.is_object() {
                self.deserialize_any(visitor)
            } else {
                Err(de::Error::custom(format!("{name} must be a JSON object")))
            }
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Null => visitor.visit_none(),
                v => visitor.visit_some(Strict(v)),
            }
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, Error> {
            visitor.visit_newtype_struct(self)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            de::Deserializer::deserialize_enum(self.0, name, variants, visitor)
        }

        /// The document's integers are int64, `u64` fields too (a `number`
        /// field takes any JSON number).
        fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match &self.0 {
                Value::Number(n) if n.as_u64().is_some_and(|v| i64::try_from(v).is_err()) => {
                    Err(de::Error::custom(format!("{n} is over the int64 maximum")))
                }
                _ => self.deserialize_any(visitor),
            }
        }

        forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u128 f32 f64 char str string
            bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
        }

        /// Fields the type does not name are passed over unread.
        fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.visit_unit()
        }
    }

    struct Seq(std::vec::IntoIter<Value>);

    impl<'de> SeqAccess<'de> for Seq {
        type Error = Error;
        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, Error> {
            self.0
                .next()
                .map(|v| seed.deserialize(Strict(v)))
                .transpose()
        }
    }

    struct Map {
        iter: serde_json::map::IntoIter,
        value: Option<Value>,
    }

    impl<'de> MapAccess<'de> for Map {
        type Error = Error;
        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, Error> {
            match self.iter.next() {
                Some((k, v)) => {
                    self.value = Some(v);
                    seed.deserialize(k.into_deserializer()).map(Some)
                }
                None => Ok(None),
            }
        }

        fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
            let v = self
                .value
                .take()
                .ok_or_else(|| de::Error::custom("value before key"))?;
            seed.deserialize(Strict(v))
        }
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move { Ok(JsonBody(object_as(json.await?.into_inner())?)) })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // actix-http gives `Payload::None` to a request without a body,
        // including `Content-Length: 0`.
        if matches!(payload, Payload::None) {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        let json = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            match json.await?.into_inner() {
                Value::Null => Ok(OptionalJson(None)),
                v => Ok(OptionalJson(Some(object_as(v)?))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Body {
        n: u32,
        x: f64,
    }

    #[test]
    fn only_objects_are_bodies_and_integral_floats_are_integers() {
        let ok: Body = object_as(serde_json::json!({"n": 589.0, "x": 2})).unwrap();
        assert_eq!(ok, Body { n: 589, x: 2.0 });
        assert!(object_as::<Body>(serde_json::json!([589, 2.0])).is_err());
        assert!(object_as::<Body>(serde_json::json!({"n": 1.5, "x": 0})).is_err());
        assert!(object_as::<Body>(serde_json::json!("n")).is_err());
    }

    #[derive(serde::Deserialize, Debug)]
    struct Big {
        #[allow(dead_code)]
        n: u64,
    }

    #[test]
    fn integers_are_int64() {
        assert!(object_as::<Big>(serde_json::json!({"n": i64::MAX})).is_ok());
        // A field the type does not name is not read at all.
        let extra = serde_json::json!({"n": 1, "other": [u64::MAX, [1, 2]]});
        assert!(object_as::<Big>(extra).is_ok());
        // A `number` field takes any JSON number, large integers included.
        let ok: Body = object_as(serde_json::json!({"n": 1, "x": u64::MAX})).unwrap();
        assert_eq!(ok.x, u64::MAX as f64);
        assert!(object_as::<Big>(serde_json::json!({"n": i64::MAX as u64 + 1})).is_err());
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Outer {
        inner: Option<Body>,
        list: Vec<Body>,
        #[serde(default)]
        id: Option<signaling_core::RoomId>,
    }

    /// A struct is an object at any depth; sequences of structs, options
    /// and validated ids still work.
    #[test]
    fn nested_structs_are_objects_too() {
        let ok: Outer = object_as(serde_json::json!({
            "inner": {"n": 1, "x": 1.5}, "list": [{"n": 2, "x": 0}], "id": "r1"
        }))
        .unwrap();
        assert_eq!(ok.list, vec![Body { n: 2, x: 0.0 }]);
        assert_eq!(ok.id.unwrap().as_str(), "r1");
        let none: Outer = object_as(serde_json::json!({"inner": null, "list": []})).unwrap();
        assert_eq!(none.inner, None);
        for bad in [
            serde_json::json!({"inner": [1, 2.0], "list": []}),
            serde_json::json!({"inner": null, "list": [[1, 2.0]]}),
            serde_json::json!({"inner": null, "list": [], "id": "a b"}),
        ] {
            assert!(object_as::<Outer>(bad.clone()).is_err(), "{bad}");
        }
    }
}
