//! The JSON sink (feature `json`): the flow as a `serde_json` object, for
//! `weir flows --json`, the REST API and snapshots.

use std::convert::Infallible;

use serde_json::{Map, Value};

use super::{InfoSink, InfoSource, Level, Section, emit, emit_section};
use crate::network::Networks;

/// Builds a JSON object from the emitter's calls.
#[derive(Debug, Default)]
pub struct JsonSink {
    root: Map<String, Value>,
    /// Open nested tables: (key in the parent, content).
    open: Vec<(String, Map<String, Value>)>,
}

impl JsonSink {
    /// An empty object.
    pub fn new() -> JsonSink {
        JsonSink::default()
    }

    /// The object built (tables left open are closed).
    pub fn finish(mut self) -> Map<String, Value> {
        while !self.open.is_empty() {
            self.close();
        }
        self.root
    }

    fn top(&mut self) -> &mut Map<String, Value> {
        match self.open.last_mut() {
            Some((_, m)) => m,
            None => &mut self.root,
        }
    }

    fn put(&mut self, key: &str, v: Value) -> Result<(), Infallible> {
        self.top().insert(key.to_owned(), v);
        Ok(())
    }

    fn close(&mut self) {
        if let Some((k, m)) = self.open.pop() {
            self.top().insert(k, Value::Object(m));
        }
    }
}

impl InfoSink for JsonSink {
    type Error = Infallible;

    fn str(&mut self, key: &str, v: &str) -> Result<(), Infallible> {
        self.put(key, Value::from(v))
    }

    fn uint(&mut self, key: &str, v: u64) -> Result<(), Infallible> {
        self.put(key, Value::from(v))
    }

    fn int(&mut self, key: &str, v: i64) -> Result<(), Infallible> {
        self.put(key, Value::from(v))
    }

    fn float(&mut self, key: &str, v: f64) -> Result<(), Infallible> {
        self.put(key, Value::from(v))
    }

    fn bool(&mut self, key: &str, v: bool) -> Result<(), Infallible> {
        self.put(key, Value::from(v))
    }

    fn list(&mut self, key: &str, items: &[String]) -> Result<(), Infallible> {
        self.put(key, Value::from(items.to_vec()))
    }

    fn begin(&mut self, key: &str) -> Result<(), Infallible> {
        self.open.push((key.to_owned(), Map::new()));
        Ok(())
    }

    fn end(&mut self) -> Result<(), Infallible> {
        self.close();
        Ok(())
    }
}

/// The flow as a JSON object with the keys of `level`.
pub fn to_json(src: &InfoSource<'_>, nets: &Networks, level: Level) -> Map<String, Value> {
    let mut sink = JsonSink::new();
    let Ok(()) = emit(src, nets, level, &mut sink);
    sink.finish()
}

/// One protocol table as a JSON object (empty unless the flow is of that protocol).
pub fn to_json_section(src: &InfoSource<'_>, section: Section) -> Map<String, Value> {
    let mut sink = JsonSink::new();
    let Ok(()) = emit_section(src, section, &mut sink);
    sink.finish()
}
