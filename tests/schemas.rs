//! The JSON Schemas in schemas/ are current, every example passes its dialect's schema, and
//! every YAML example names its schema for editors.

use ipsecgen::dialect::{schema, Dialect};
use ipsecgen::source::Source;
use ipsecgen::tree::{Node, Value as T};
use serde_json::Value;

fn to_json(n: &Node) -> Value {
    match &n.value {
        T::Map(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
        T::Seq(s) => Value::Array(s.iter().map(to_json).collect()),
        T::Str(s) => s.clone().into(),
        T::Bool(b) => (*b).into(),
        T::Int(i) => i64::try_from(*i).map_or(Value::Null, Value::from),
        T::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        T::Null => Value::Null,
    }
}

/// A validator for the draft-07 subset the generated schemas use (type, enum, anyOf, properties,
/// additionalProperties, items, required, minimum; `pattern` is not checked). Errors are paths.
fn validate(schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if v.is_null() {
        return; // null means "not given" to every reader
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let mut reasons = Vec::new();
        for s in options {
            let mut e = Vec::new();
            validate(s, v, path, &mut e);
            if e.is_empty() {
                return;
            }
            reasons.extend(e);
        }
        errors.push(format!(
            "{path}: matches no alternative ({})",
            reasons.join("; ")
        ));
        return;
    }
    if let Some(words) = schema.get("enum").and_then(Value::as_array) {
        if !words.contains(v) {
            errors.push(format!("{path}: {v} not in {words:?}"));
        }
        return;
    }
    let ty_ok = |t: &str| match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_u64() || v.is_i64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => true,
    };
    match schema.get("type") {
        Some(Value::String(t)) if !ty_ok(t) => errors.push(format!("{path}: not a {t}")),
        Some(Value::Array(ts)) if !ts.iter().filter_map(Value::as_str).any(ty_ok) => {
            errors.push(format!("{path}: wrong type"))
        }
        _ => {}
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if n < min {
            errors.push(format!("{path}: below {min}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !obj.contains_key(req) {
                errors.push(format!("{path}: missing {req}"));
            }
        }
        for (k, child) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(s, child, &format!("{path}.{k}"), errors),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{path}: unknown key {k}"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, el) in arr.iter().enumerate() {
            validate(items, el, &format!("{path}[{i}]"), errors);
        }
    }
}

#[test]
fn checked_in_schemas_are_current() {
    for d in Dialect::ALL {
        let path = format!("schemas/{}.json", d.id());
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == schema::schema_text(*d),
            "{path} is stale: run `cargo run -- schema {} > {path}`",
            d.id()
        );
    }
}

#[test]
fn every_example_passes_its_schema_and_yaml_examples_name_it() {
    let mut checked = 0;
    for (rel, text) in ipsecgen::render::example_files() {
        let source = Source::new(*rel, *text);
        let root = source.parse().expect("examples parse");
        let loaded = ipsecgen::dialect::load(&source, None, &Default::default());
        let dialect = loaded
            .connections
            .first()
            .map(|c| c.dialect.clone())
            .expect("examples load");
        let d = Dialect::from_id(&dialect).expect("a known dialect");
        let mut errors = Vec::new();
        validate(&schema::schema(d), &to_json(&root), "$", &mut errors);
        assert!(
            errors.is_empty(),
            "examples/{rel} against schemas/{dialect}.json: {errors:#?}"
        );
        if rel.ends_with(".yaml") {
            let modeline = format!("# yaml-language-server: $schema=../../schemas/{dialect}.json");
            assert!(
                text.starts_with(&modeline),
                "examples/{rel} should start with `{modeline}`"
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} examples");
}

/// The validator is not vacuous: a misspelt key and a wrong value fail.
#[test]
fn schema_rejects_a_typo_and_a_bad_value() {
    let s = schema::schema(Dialect::AliyunConnection);
    let mut e = Vec::new();
    validate(
        &s,
        &serde_json::json!({"IkeConfig": {"IkeEncAlgo": "aes"}}),
        "$",
        &mut e,
    );
    assert!(e.iter().any(|x| x.contains("IkeEncAlgo")), "{e:?}");
    let mut e = Vec::new();
    validate(
        &s,
        &serde_json::json!({"IpsecConfig": {"IpsecPfs": "group24"}}),
        "$",
        &mut e,
    );
    assert!(!e.is_empty());
}
