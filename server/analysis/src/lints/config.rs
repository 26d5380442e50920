//! Workspace configuration, `.yin/config.edn`: per-rule severities and disabled rules.
//!
//! ```clojure
//! {:lints {:unused-param :off        ; never run
//!          :shadowed-binding :info}} ; report at another severity
//! ```

use edn::{Node, Spanned, Value};
use syntax::{Severity, TextRange, TextSize};

use crate::lints::rule::{RuleError, parse_severity};

/// What the configuration says about one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    Off,
    Severity(Severity),
}

/// Rule settings by rule id, with where each was written (to report unknown ids).
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub settings: Vec<(String, Setting, TextRange)>,
}

impl Config {
    /// Reads a configuration; problems are reported and skipped, the rest still applies.
    pub fn read(text: &str) -> (Config, Vec<RuleError>) {
        let mut config = Config::default();
        let mut errors = Vec::new();
        let form = match edn::read_spanned(text) {
            Ok(form) => form,
            Err(err) => {
                errors.push(RuleError {
                    range: TextRange::empty(size(err.pos.offset)),
                    message: err.kind.to_string(),
                });
                return (config, errors);
            }
        };
        let Node::Map(entries) = &form.node else {
            errors.push(error(&form, "the configuration is a map {:lints {...}}"));
            return (config, errors);
        };
        for (key, value) in entries {
            let is_lints =
                matches!(&key.node, Node::Atom(Value::Keyword(k)) if k.as_str() == "lints");
            if !is_lints {
                errors.push(error(key, "unknown configuration key (expected :lints)"));
                continue;
            }
            let Node::Map(lints) = &value.node else {
                errors.push(error(
                    value,
                    ":lints is a map from rule id to a severity or :off",
                ));
                continue;
            };
            for (id, setting) in lints {
                let id_text = match &id.node {
                    Node::Atom(Value::Keyword(k)) => k.as_str().to_owned(),
                    Node::Atom(Value::Symbol(s)) => s.as_str().to_owned(),
                    _ => {
                        errors.push(error(id, "a rule id is a keyword such as :unused-param"));
                        continue;
                    }
                };
                let parsed = match &setting.node {
                    Node::Atom(Value::Keyword(k)) if k.as_str() == "off" => Some(Setting::Off),
                    Node::Atom(Value::Keyword(k)) => {
                        parse_severity(k.as_str()).map(Setting::Severity)
                    }
                    _ => None,
                };
                match parsed {
                    Some(s) => config.settings.push((id_text, s, range(id))),
                    None => errors.push(error(
                        setting,
                        "a setting is :off, :error, :warning, :info or :hint",
                    )),
                }
            }
        }
        (config, errors)
    }

    pub fn setting(&self, id: &str) -> Option<Setting> {
        self.settings
            .iter()
            .rev()
            .find(|(i, ..)| i == id)
            .map(|(_, s, _)| *s)
    }
}

fn size(offset: usize) -> TextSize {
    TextSize::from(u32::try_from(offset).unwrap_or(u32::MAX))
}

fn range(form: &Spanned) -> TextRange {
    let start = size(form.span.start.offset);
    TextRange::new(start, size(form.span.end.offset).max(start))
}

fn error(form: &Spanned, message: &str) -> RuleError {
    RuleError {
        range: range(form),
        message: message.to_owned(),
    }
}
