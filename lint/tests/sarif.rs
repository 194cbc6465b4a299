//! `--format sarif` output validates against the official SARIF 2.1.0 schema and carries rules, levels and locations.

mod common;

use assert_cmd::Command;
use asyncheck_lint::RULES;
use common::sarif::{schema_errors, schema_validator};
use serde_json::Value;

const SOURCE: &str = "use std::time::Duration;\n\npub async fn tick() {\n    std::thread::sleep(Duration::from_millis(5));\n}\n\npub async fn nested() {\n    let rt = tokio::runtime::Runtime::new().unwrap();\n}\n";

/// Runs `--format sarif` on a tree with a warning, an error, a file whose name needs
/// percent-encoding and a file that does not parse; returns (exit code, parsed log).
fn sarif_run() -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), SOURCE).unwrap();
    std::fs::write(dir.path().join("src/my mod.rs"), SOURCE).unwrap();
    std::fs::write(dir.path().join("src/broken.rs"), "fn f( {\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-asyncheck"))
        .current_dir(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let log = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code().unwrap(), log)
}

/// Runs `--format sarif` on a crate with these `src/` files; returns the parsed log.
fn sarif_of(files: &[(&str, &str)]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("src").join(name), text).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-asyncheck"))
        .current_dir(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A std guard held across an `.await`: one finding with one note.
const LOCK_ACROSS_AWAIT: &str = "pub async fn record(state: &std::sync::Mutex<u8>) {\n    let n = state.lock().unwrap();\n    flush(*n).await;\n}\n\nasync fn flush(_: u8) {}\n";

#[test]
fn sarif_output_is_valid_against_the_sarif_2_1_0_schema() {
    let (code, log) = sarif_run();
    assert_eq!(code, 1, "findings still fail the run");
    let validator = schema_validator();
    let errors = schema_errors(&validator, &log);
    assert!(
        errors.is_empty(),
        "SARIF output violates the schema:\n{}",
        errors.join("\n")
    );
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 5);

    // The validator does reject what the schema forbids.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    broken["runs"][0]["results"][1]["level"] = Value::from("fatal");
    assert_eq!(schema_errors(&validator, &broken).len(), 2);
}

#[test]
fn the_driver_lists_every_rule_with_docs_and_default_level() {
    let (_, log) = sarif_run();
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "asyncheck");
    let rules = driver["rules"].as_array().unwrap();
    for rule in RULES {
        let entry = rules
            .iter()
            .find(|r| r["id"] == rule.name)
            .unwrap_or_else(|| panic!("rule `{}` missing from the SARIF driver", rule.name));
        assert_eq!(entry["shortDescription"]["text"], rule.summary());
        assert_eq!(entry["help"]["markdown"], rule.docs());
        assert!(
            !entry["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty(),
            "rule `{}` has an empty full description",
            rule.name
        );
        let level = rule.severity.to_string();
        assert_eq!(entry["defaultConfiguration"]["level"], level.as_str());
    }
    let level_of = |id: &str| {
        rules.iter().find(|r| r["id"] == id).unwrap()["defaultConfiguration"]["level"].clone()
    };
    assert_eq!(level_of("nested_runtime"), "error");
    assert_eq!(level_of("blocking_sleep"), "warning");
    assert_eq!(level_of("syntax_error"), "error");
}

#[test]
fn results_point_at_relative_uris_under_srcroot_with_regions() {
    let (_, log) = sarif_run();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let sleep = results
        .iter()
        .find(|r| {
            r["ruleId"] == "blocking_sleep"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/lib.rs"
        })
        .expect("the blocking_sleep result in src/lib.rs");
    assert_eq!(sleep["level"], "warning");
    let location = &sleep["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        location["region"],
        serde_json::json!({ "startLine": 4, "startColumn": 5, "endLine": 4, "endColumn": 49 })
    );
    let fingerprint = sleep["partialFingerprints"]["asyncheck/v1"]
        .as_str()
        .unwrap();
    assert_eq!(fingerprint.len(), 16, "{fingerprint}");
    let index = usize::try_from(sleep["ruleIndex"].as_u64().unwrap()).unwrap();
    assert_eq!(rules[index]["id"], "blocking_sleep");
    assert!(
        sleep["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("blocking `std::thread::sleep` in async context\nhelp: ")
    );

    let nested = results
        .iter()
        .find(|r| r["ruleId"] == "nested_runtime")
        .unwrap();
    assert_eq!(nested["level"], "error");
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"src/my%20mod.rs"), "{uris:?}");
    assert!(uris.contains(&"src/broken.rs"), "{uris:?}");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
}

#[test]
fn notes_become_related_locations_and_still_validate() {
    let log = sarif_of(&[("lib.rs", LOCK_ACROSS_AWAIT)]);
    let errors = schema_errors(&schema_validator(), &log);
    assert!(
        errors.is_empty(),
        "SARIF output violates the schema:\n{}",
        errors.join("\n")
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    let result = &results[0];
    assert_eq!(result["ruleId"], "sync_lock_across_await");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert_eq!(
        result["relatedLocations"],
        serde_json::json!([{
            "id": 0,
            "physicalLocation": {
                "artifactLocation": { "uri": "src/lib.rs", "uriBaseId": "%SRCROOT%" },
                "region": { "startLine": 3, "startColumn": 14, "endLine": 3, "endColumn": 20 },
            },
            "message": { "text": "the guard is still alive at this `.await`" },
        }])
    );
}

#[test]
fn a_finding_one_call_away_carries_its_call_chain_as_a_code_flow() {
    let lib = "mod util;\n\npub async fn handle() {\n    util::wait_for_quota();\n}\n";
    let util = "pub fn wait_for_quota() {\n    pause();\n}\n\nfn pause() {\n    std::thread::sleep(std::time::Duration::from_millis(5));\n}\n";
    let log = sarif_of(&[("lib.rs", lib), ("util.rs", util)]);
    let errors = schema_errors(&schema_validator(), &log);
    assert!(
        errors.is_empty(),
        "SARIF output violates the schema:\n{}",
        errors.join("\n")
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    let flow = &results[0]["codeFlows"][0]["threadFlows"][0]["locations"];
    let steps: Vec<(u64, &str, u64, &str)> = flow
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            let location = &step["location"]["physicalLocation"];
            (
                step["nestingLevel"].as_u64().unwrap(),
                location["artifactLocation"]["uri"].as_str().unwrap(),
                location["region"]["startLine"].as_u64().unwrap(),
                step["location"]["message"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (
                0,
                "src/lib.rs",
                4,
                "`util::wait_for_quota` blocks the executor: it calls `std::thread::sleep`"
            ),
            (1, "src/util.rs", 2, "`wait_for_quota` calls `pause` here"),
            (
                2,
                "src/util.rs",
                6,
                "`pause` calls `std::thread::sleep` here"
            ),
        ]
    );
}

#[test]
fn notes_that_are_not_a_call_chain_make_no_code_flow() {
    let log = sarif_of(&[("lib.rs", LOCK_ACROSS_AWAIT)]);
    let result = &log["runs"][0]["results"][0];
    assert!(result["relatedLocations"].is_array());
    assert!(result.get("codeFlows").is_none(), "{result}");
}
