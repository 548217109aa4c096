//! Typed reads of one JSON object, with errors that name the full field path.

use alloc::borrow::Cow;
use alloc::string::String;

use super::names::Name;
use crate::amount::{Amount, AmountError, AmountUnit};
use crate::decimal::Decimal;
use crate::error::Error;
use crate::json::{kind, Document, Entry, Kind, Object, RawJson};
use crate::timestamp::MAX_UNIX_SECONDS;

/// One JSON object of the body and its path from the root (`data.payment`).
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    document: &'a Document<'a>,
    path: &'static str,
    /// The last member of each name the model reads, as `JSON.parse` and `json_decode`
    /// read a repeated key: found in one pass over the object, so a lookup is an index.
    members: [Option<&'a Entry>; Name::COUNT],
}

impl<'a> Fields<'a> {
    /// The top-level object (the caller checked that the body is one).
    pub(crate) fn root(document: &'a Document<'a>) -> Option<Self> {
        Some(Fields::new(document, document.root()?, ""))
    }

    fn new(document: &'a Document<'a>, object: Object, path: &'static str) -> Self {
        let mut members = [None; Name::COUNT];
        for entry in document.members(object) {
            if let Some(name) = Name::of(&document.key(entry)) {
                members[name as usize] = Some(entry);
            }
        }
        Fields {
            document,
            path,
            members,
        }
    }

    /// The first of `names` that is present and not null. Several names exist because
    /// the three body shapes spell some fields differently (`transaction_hash`,
    /// `transactionHash`).
    fn find(&self, names: &[Name]) -> Option<(Name, &'a str)> {
        self.find_entry(names)
            .map(|(name, entry)| (name, self.document.value(entry)))
    }

    fn find_entry(&self, names: &[Name]) -> Option<(Name, &'a Entry)> {
        names.iter().find_map(|&name| {
            self.members[name as usize]
                .filter(|entry| kind(self.document.value(entry)) != Kind::Null)
                .map(|entry| (name, entry))
        })
    }

    pub(crate) fn error(&self, name: Name, reason: &'static str) -> Error {
        let name = name.as_str();
        let mut field = String::with_capacity(self.path.len() + name.len() + 1);
        if !self.path.is_empty() {
            field.push_str(self.path);
            field.push('.');
        }
        field.push_str(name);
        Error::invalid_field(field, reason)
    }

    pub(crate) fn string(&self, names: &[Name]) -> Result<Option<String>, Error> {
        match self.find_entry(names) {
            None => Ok(None),
            Some((name, entry)) => match self.document.string_value(entry) {
                Some(text) => Ok(Some(text.into_owned())),
                None => Err(self.error(name, "must be a string")),
            },
        }
    }

    pub(crate) fn required_string(&self, names: &[Name]) -> Result<String, Error> {
        match self.string(names)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(self.error(names[0], "must not be empty")),
            None => Err(self.error(names[0], "is missing")),
        }
    }

    pub(crate) fn boolean(&self, names: &[Name]) -> Result<Option<bool>, Error> {
        match self.find(names) {
            None => Ok(None),
            Some((_, "true")) => Ok(Some(true)),
            Some((_, "false")) => Ok(Some(false)),
            Some((name, _)) => Err(self.error(name, "must be true or false")),
        }
    }

    /// A whole number of unix seconds, written as a plain JSON integer.
    pub(crate) fn unix_seconds(&self, name: Name) -> Result<Option<u64>, Error> {
        let Some((_, value)) = self.find(&[name]) else {
            return Ok(None);
        };
        value
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| value.parse::<u64>().ok())
            .flatten()
            .filter(|&s| s <= MAX_UNIX_SECONDS)
            .map(Some)
            .ok_or_else(|| self.error(name, "must be a whole number of unix seconds"))
    }

    /// The text of an amount (a JSON number, or a string holding one) and the name it was
    /// found under; its unit is applied by [`Fields::amount_in`] once the currency is known.
    pub(crate) fn amount_text(
        &self,
        names: &[Name],
    ) -> Result<Option<(Name, Cow<'a, str>)>, Error> {
        let Some((name, entry)) = self.find_entry(names) else {
            return Ok(None);
        };
        let value = self.document.value(entry);
        let text = match kind(value) {
            Kind::Number => Some(Cow::Borrowed(value)),
            Kind::String => self.document.string_value(entry),
            _ => None,
        };
        match text {
            Some(text) if Decimal::parse(&text).is_some_and(|d| !d.negative) => {
                Ok(Some((name, text)))
            }
            _ => Err(self.error(name, AmountError::NotDecimal.reason())),
        }
    }

    pub(crate) fn required_amount_text(
        &self,
        names: &[Name],
    ) -> Result<(Name, Cow<'a, str>), Error> {
        self.amount_text(names)?
            .ok_or_else(|| self.error(names[0], "is missing"))
    }

    /// An amount read by [`Fields::amount_text`], in `unit`.
    pub(crate) fn amount_in(
        &self,
        (name, text): (Name, Cow<'a, str>),
        unit: AmountUnit,
    ) -> Result<Amount, Error> {
        Amount::read(&text, unit).map_err(|e| self.error(name, e.reason()))
    }

    /// An object field kept as sent (merchant metadata).
    pub(crate) fn object_value(&self, names: &[Name]) -> Result<Option<RawJson>, Error> {
        match self.find(names) {
            None => Ok(None),
            Some((_, value)) if kind(value) == Kind::Object => Ok(Some(RawJson::new(value))),
            Some((name, _)) => Err(self.error(name, "must be an object")),
        }
    }

    /// A nested object to read fields from.
    pub(crate) fn nested(
        &self,
        name: Name,
        path: &'static str,
    ) -> Result<Option<Fields<'a>>, Error> {
        match self.find_entry(&[name]) {
            None => Ok(None),
            Some((_, entry)) => match self.document.object(entry) {
                Some(object) => Ok(Some(Fields::new(self.document, object, path))),
                None => Err(self.error(name, "must be an object")),
            },
        }
    }

    pub(crate) fn raw(&self, name: Name) -> Option<&'a str> {
        self.find(&[name]).map(|(_, v)| v)
    }
}
