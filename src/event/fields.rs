//! Typed reads of one JSON object, with errors that name the full field path.

use alloc::string::String;

use serde_json::{Map, Value};

use crate::amount::Amount;
use crate::error::Error;

/// One JSON object of the body and its path from the root (`data.payment`).
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: &'static str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>, path: &'static str) -> Self {
        Fields { map, path }
    }

    /// The first of `names` that is present and not null. Several names exist because
    /// the three body shapes spell some fields differently (`transaction_hash`,
    /// `transactionHash`).
    fn find(&self, names: &[&'static str]) -> Option<(&'static str, &'a Value)> {
        names.iter().find_map(|&name| {
            self.map
                .get(name)
                .filter(|v| !v.is_null())
                .map(|v| (name, v))
        })
    }

    pub(crate) fn error(&self, name: &str, reason: &'static str) -> Error {
        let mut field = String::with_capacity(self.path.len() + name.len() + 1);
        if !self.path.is_empty() {
            field.push_str(self.path);
            field.push('.');
        }
        field.push_str(name);
        Error::invalid_field(field, reason)
    }

    pub(crate) fn string(&self, names: &[&'static str]) -> Result<Option<String>, Error> {
        match self.find(names) {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.clone())),
            Some((name, _)) => Err(self.error(name, "must be a string")),
        }
    }

    pub(crate) fn required_string(&self, names: &[&'static str]) -> Result<String, Error> {
        match self.string(names)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(self.error(names[0], "must not be empty")),
            None => Err(self.error(names[0], "is missing")),
        }
    }

    pub(crate) fn boolean(&self, names: &[&'static str]) -> Result<Option<bool>, Error> {
        match self.find(names) {
            None => Ok(None),
            Some((_, Value::Bool(b))) => Ok(Some(*b)),
            Some((name, _)) => Err(self.error(name, "must be true or false")),
        }
    }

    pub(crate) fn amount(&self, names: &[&'static str]) -> Result<Option<Amount>, Error> {
        match self.find(names) {
            None => Ok(None),
            Some((name, value)) => Amount::from_json(value).map(Some).ok_or_else(|| {
                self.error(
                    name,
                    "must be a non-negative decimal number or string without sign or exponent",
                )
            }),
        }
    }

    pub(crate) fn required_amount(&self, names: &[&'static str]) -> Result<Amount, Error> {
        self.amount(names)?
            .ok_or_else(|| self.error(names[0], "is missing"))
    }

    /// An object field, as a JSON value (kept as sent, for metadata).
    pub(crate) fn object_value(&self, names: &[&'static str]) -> Result<Option<Value>, Error> {
        match self.find(names) {
            None => Ok(None),
            Some((_, value @ Value::Object(_))) => Ok(Some(value.clone())),
            Some((name, _)) => Err(self.error(name, "must be an object")),
        }
    }

    /// A nested object to read fields from.
    pub(crate) fn nested(
        &self,
        name: &'static str,
        path: &'static str,
    ) -> Result<Option<Fields<'a>>, Error> {
        match self.find(&[name]) {
            None => Ok(None),
            Some((_, Value::Object(map))) => Ok(Some(Fields::new(map, path))),
            Some(_) => Err(self.error(name, "must be an object")),
        }
    }

    pub(crate) fn raw(&self, name: &'static str) -> Option<&'a Value> {
        self.find(&[name]).map(|(_, v)| v)
    }
}
