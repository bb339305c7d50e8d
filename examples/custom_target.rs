//! A render target of your own, written against the public API only.
//!
//! ```text
//! cargo run -q --example custom_target -- examples/data/session.json
//! ```
//!
//! "Parrot" is a made-up provider that takes `{"lines": ["USER: ...", "BOT: ..."]}`, has no
//! system role (system text is sent as a `NOTE:` line) and refuses empty lines.

use std::process::ExitCode;

use memor::core::{Role, Session};
use memor_render::{Change, Error, Payload, RenderOptions, Rendered, Report, Target, Violation};

struct Parrot;

impl Target for Parrot {
    fn name(&self) -> &'static str {
        "parrot"
    }

    fn render(&self, session: &Session, _options: &RenderOptions) -> Result<Rendered, Error> {
        let mut report = Report::default();
        let mut lines = Vec::new();
        for (index, message) in session.messages().iter().enumerate() {
            if !session
                .messages_status()
                .get(index)
                .copied()
                .unwrap_or(false)
            {
                report.push(Change::Masked { index });
                continue;
            }
            let text = message
                .render_string()
                .map_err(|source| Error::Message { index, source })?;
            if text.trim().is_empty() {
                report.push(Change::Dropped {
                    index,
                    reason: "empty text".into(),
                });
                continue;
            }
            let label = match message.role() {
                Role::User => "USER",
                Role::Assistant => "BOT",
                Role::System => {
                    report.push(Change::Renamed {
                        index,
                        from: "system".into(),
                        to: "NOTE".into(),
                    });
                    "NOTE"
                }
            };
            lines.push(format!("{label}: {text}"));
        }
        Ok(Rendered {
            payload: Payload::Json(serde_json::json!({ "lines": lines })),
            report,
            warnings: Vec::new(),
        })
    }

    fn validate(&self, payload: &Payload) -> Vec<Violation> {
        let lines = payload
            .as_json()
            .and_then(|v| v.get("lines"))
            .and_then(|l| l.as_array());
        let Some(lines) = lines else {
            return vec![Violation {
                index: None,
                rule: "shape",
                message: "expected an object with a `lines` array".into(),
            }];
        };
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                !l.as_str().is_some_and(|s| {
                    ["USER: ", "BOT: ", "NOTE: "]
                        .iter()
                        .any(|p| s.strip_prefix(p).is_some_and(|t| !t.trim().is_empty()))
                })
            })
            .map(|(i, _)| Violation {
                index: Some(i),
                rule: "line",
                message: "not a labelled, non-empty line".into(),
            })
            .collect()
    }
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: custom_target SESSION.json");
        return ExitCode::from(2);
    };
    let session = match Session::load(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match Parrot.render(&session, &RenderOptions::default()) {
        Ok(rendered) => {
            println!("{}", rendered.payload.to_json_string());
            eprint!("{}", rendered.report);
            let violations = Parrot.validate(&rendered.payload);
            for v in &violations {
                eprintln!("violation: {v}");
            }
            if violations.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
