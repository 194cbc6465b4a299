//! The SARIF 2.1.0 schema check shared by the tests that read SARIF logs (`--format sarif`, the GitHub Action's upload).

use std::path::Path;

use serde_json::Value;

/// A validator for the official SARIF 2.1.0 schema, kept in `tests/data/`.
pub(crate) fn schema_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Every way `log` violates the schema, with where (empty when it is valid).
pub(crate) fn schema_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}
