//! JSON Schemas (draft-07) for every input dialect, for editors. The dialects read a spanned
//! tree, not serde types, so the schemas are generated from the readers themselves: each
//! dialect's reader runs in schema mode over the shipped examples (and an empty document, where
//! absent objects are explored as empty ones) and every key it asks for is recorded with what
//! it accepts. A schema therefore cannot drift from the reader.

use serde_json::{json, Map, Value};

use super::fields::{SchemaRecord, Shape};
use super::Dialect;

fn shape_schema(shape: &Shape) -> Value {
    match shape {
        Shape::Any => json!({}),
        Shape::String => json!({"type": "string"}),
        Shape::Bool => {
            json!({"description": "true or false (the request form writes \"true\")", "enum": [true, false, "true", "false"]})
        }
        Shape::Integer => {
            json!({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+$"}]})
        }
        Shape::Number => {
            json!({"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+(\\.0+)?$"}]})
        }
        Shape::Enum(words) => json!({"enum": words}),
        Shape::Cidr => {
            json!({"type": "string", "description": "a CIDR block, e.g. 169.254.11.0/30"})
        }
        Shape::CidrList => json!({
            "description": "CIDR blocks: comma-separated (10.1.1.0/24,10.1.2.0/24) or a list",
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        }),
        Shape::Ip => json!({"type": "string", "description": "an IP address"}),
        Shape::Identity => {
            json!({"type": "string", "description": "an IKE identity: an IP address or an FQDN"})
        }
        Shape::Psk => json!({
            "description": "the pre-shared key, or a reference to it: {env: VAR} or {file: path}",
            "anyOf": [
                {"type": "string"},
                {"type": "object", "properties": {"env": {"type": "string"}}, "required": ["env"], "additionalProperties": false},
                {"type": "object", "properties": {"file": {"type": "string"}}, "required": ["file"], "additionalProperties": false}
            ]
        }),
        Shape::OneOf(shapes) => {
            json!({"anyOf": shapes.iter().map(shape_schema).collect::<Vec<_>>()})
        }
        // Objects and lists of objects are expanded by `object_schema`.
        Shape::Object | Shape::Objects => json!({}),
    }
}

/// The schema of the value at `child`; objects and lists of objects are expanded, also as
/// alternatives (Alibaba's TunnelOptionsSpecification: an object in the response, a list in
/// the request).
fn value_schema(rec: &SchemaRecord, child: &str, shape: &Shape) -> Value {
    match shape {
        Shape::Object => json!({
            "anyOf": [object_schema(rec, child), {"type": "string", "description": "the same object as JSON text (request form)"}]
        }),
        Shape::Objects => {
            json!({"type": "array", "items": object_schema(rec, &format!("{child}[]"))})
        }
        Shape::OneOf(shapes)
            if shapes
                .iter()
                .any(|s| matches!(s, Shape::Object | Shape::Objects)) =>
        {
            json!({"anyOf": shapes.iter().map(|s| value_schema(rec, child, s)).collect::<Vec<_>>()})
        }
        s => shape_schema(s),
    }
}

fn object_schema(rec: &SchemaRecord, path: &str) -> Value {
    let mut props = Map::new();
    if let Some(fields) = rec.get(path) {
        for (key, shape) in fields {
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            props.insert(key.clone(), value_schema(rec, &child, shape));
        }
    }
    json!({"type": "object", "properties": props, "additionalProperties": false})
}

/// The draft-07 JSON Schema of a dialect.
pub fn schema(dialect: Dialect) -> Value {
    let mut rec = SchemaRecord::new();
    super::record_reads(dialect, "{}", empty_root(), true, &mut rec);
    for (path, text) in crate::render::example_files() {
        let source = crate::source::Source::new(*path, *text);
        let Ok(root) = source.parse() else { continue };
        if super::detect(&root) == Some(dialect) {
            super::record_reads(dialect, text, root, false, &mut rec);
        }
    }
    let mut s = object_schema(&rec, "");
    if let Some(o) = s.as_object_mut() {
        o.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        o.insert(
            "$id".into(),
            json!(format!(
                "https://ipsecgen.invalid/schemas/{}.json",
                dialect.id()
            )),
        );
        o.insert(
            "title".into(),
            json!(format!("ipsecgen input: {}", dialect.id())),
        );
        o.insert(
            "description".into(),
            json!(format!(
                "{}. Generated by ipsecgen from its reader; unknown keys are errors.",
                dialect.describe()
            )),
        );
        if let Some(p) = o.get_mut("properties").and_then(Value::as_object_mut) {
            p.insert(
                "$schema".into(),
                json!({"type": "string", "description": "this schema, for editors"}),
            );
        }
    }
    s
}

/// The schema as the checked-in file holds it (pretty, keys sorted, trailing newline).
pub fn schema_text(dialect: Dialect) -> String {
    serde_json::to_string_pretty(&schema(dialect))
        .map(|s| s + "\n")
        .unwrap_or_default()
}

fn empty_root() -> crate::tree::Node {
    crate::tree::Node {
        value: crate::tree::Value::Map(Vec::new()),
        span: crate::tree::Span::default(),
    }
}
