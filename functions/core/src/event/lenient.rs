//! Field types that read any JSON value without failing: the kind a field should have is
//! kept, any other kind is skipped whole and named. Real CloudTrail records vary (a field null
//! in one record is an object in the next), and an envelope from elsewhere must be ignored
//! whatever its `detail` holds, so the record is read leniently and judged afterwards, by the
//! readers that need a field.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// How a lenient type is built from a JSON value of each kind. The defaults skip the value
/// whole (so the rest of the input is still read and checked) and hand its kind to `other`.
pub(super) trait Lenient<'de>: Sized {
    fn other<E: Error>(kind: &'static str) -> Result<Self, E>;

    fn string<E: Error>(_text: String) -> Result<Self, E> {
        Self::other("a string")
    }

    fn object<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Self::other("an object")
    }

    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Self::other("an array")
    }
}

/// Reads any value into a [`Lenient`] type.
pub(super) fn read<'de, D: Deserializer<'de>, T: Lenient<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(ByKind(PhantomData))
}

struct ByKind<T>(PhantomData<T>);

impl<'de, T: Lenient<'de>> Visitor<'de> for ByKind<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: Error>(self, _: bool) -> Result<T, E> {
        T::other("a boolean")
    }

    fn visit_i64<E: Error>(self, _: i64) -> Result<T, E> {
        T::other("a number")
    }

    fn visit_u64<E: Error>(self, _: u64) -> Result<T, E> {
        T::other("a number")
    }

    fn visit_f64<E: Error>(self, _: f64) -> Result<T, E> {
        T::other("a number")
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<T, E> {
        T::string(text.to_owned())
    }

    fn visit_string<E: Error>(self, text: String) -> Result<T, E> {
        T::string(text)
    }

    fn visit_unit<E: Error>(self) -> Result<T, E> {
        T::other("null")
    }

    fn visit_none<E: Error>(self) -> Result<T, E> {
        T::other("null")
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        read(deserializer)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::object(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::array(seq)
    }
}

/// A field that should be a string: the string, or the kind of value found instead. The
/// readers decide: a field they need must be a string; inside the
/// free-form parts of a record another kind reads as absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Str(String),
    Not(&'static str),
}

impl Text {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Text::Str(text) => Some(text),
            Text::Not(_) => None,
        }
    }
}

impl<'de> Lenient<'de> for Text {
    fn other<E: Error>(kind: &'static str) -> Result<Self, E> {
        Ok(Text::Not(kind))
    }

    fn string<E: Error>(text: String) -> Result<Self, E> {
        Ok(Text::Str(text))
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read(deserializer)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_str().serialize(serializer)
    }
}

/// A part of the record that should be an object, read into `T` (whose fields are lenient in
/// turn); any other value reads as absent, as it would to a reader looking a key up in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object<T>(pub Option<T>);

impl<T> Default for Object<T> {
    fn default() -> Self {
        Object(None)
    }
}

impl<T> Object<T> {
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<'de, T: DeserializeOwned> Lenient<'de> for Object<T> {
    fn other<E: Error>(_kind: &'static str) -> Result<Self, E> {
        Ok(Object(None))
    }

    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|t| Object(Some(t)))
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read(deserializer)
    }
}

impl<T: Serialize> Serialize for Object<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// A part of the record that should be an array of `T` (itself lenient); any other value
/// reads as empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Lenient<'de> for List<T> {
    fn other<E: Error>(_kind: &'static str) -> Result<Self, E> {
        Ok(List(Vec::new()))
    }

    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(List(items))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read(deserializer)
    }
}

impl<T: Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}
