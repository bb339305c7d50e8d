//! What each subcommand does.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::Path;
use std::str::FromStr;

use memor_core::estimate::Estimator;
use memor_core::{Message, Object, Session};
use memor_render::fit::FitOptions;
use memor_render::tokens::{CountKind, Counter};
use memor_render::{Format, Payload, RenderOptions, Rendered, Target};
use serde_json::{Value, json};

use crate::args::{Cli, Command, RenderArgs};
use crate::output::{Failure, Result, print, print_json};

/// Runs the command.
pub(crate) fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Render {
            file,
            target,
            budget,
            reserve,
            pin,
        } => {
            let t = find_target(&target.to)?;
            let session = load_session(&file)?;
            let options = render_options(&target.options);
            let session = match budget {
                Some(budget) => fit(&session, t.as_ref(), &options, budget, reserve, &pin)?,
                None => session,
            };
            let rendered = t.render(&session, &options).map_err(Failure::input)?;
            emit(&rendered, target.options.pretty)
        }
        Command::Convert {
            file,
            from,
            save,
            target,
        } => convert(
            &file,
            &from,
            save.as_deref(),
            target.to.as_deref(),
            &target.options,
        ),
        Command::Import {
            export,
            from,
            out,
            max_conversation_bytes,
            verbose,
        } => import(&export, &from, &out, max_conversation_bytes, verbose),
        Command::Tokens {
            file,
            model,
            estimator,
            to,
        } => tokens(&file, model.as_deref(), estimator.as_deref(), to.as_deref()),
        Command::Search {
            file,
            query,
            regex,
            case_sensitive,
        } => search(&file, &query, regex, case_sensitive),
        Command::Check { payload, target } => check(&payload, &target),
        Command::Show { file } => show(&file),
        #[cfg(feature = "table")]
        Command::Export { file, format, out } => {
            let format = crate::table::TableFormat::from_str(&format).map_err(Failure::usage)?;
            let session = load_session(&file)?;
            crate::table::export(&session, format, &out)?;
            eprintln!("wrote {} rows to {}", session.len(), out.display());
            Ok(())
        }
        #[cfg(feature = "table")]
        Command::ImportTable { table, out, title } => {
            let session = crate::table::import(&table, title)?;
            session
                .save(&out)
                .map_err(|e| Failure::input(format!("{}: {e}", out.display())))?;
            eprintln!("wrote {} messages to {}", session.len(), out.display());
            Ok(())
        }
    }
}

/// The built-in target named `name`; an unknown name is a usage error listing the known ones.
fn find_target(name: &str) -> Result<Box<dyn Target>> {
    memor_render::target(name).ok_or_else(|| {
        unknown(
            "target",
            name,
            memor_render::targets().iter().map(|t| t.name()),
        )
    })
}

/// The usage error for an unknown name, listing the known ones.
fn unknown(what: &str, name: &str, known: impl IntoIterator<Item = impl AsRef<str>>) -> Failure {
    let known: Vec<String> = known.into_iter().map(|k| k.as_ref().to_owned()).collect();
    Failure::usage(format!(
        "unknown {what} `{name}` (known: {})",
        known.join(", ")
    ))
}

fn render_options(args: &RenderArgs) -> RenderOptions {
    let mut options = RenderOptions::default().add_generation_prompt(args.add_generation_prompt);
    if let Some(m) = &args.model {
        options = options.model(m.clone());
    }
    if let Some(n) = args.max_tokens {
        options = options.max_tokens(n);
    }
    if let Some(t) = args.temperature {
        options = options.temperature(t);
    }
    if let Some(v) = &args.variant {
        options = options.variant(v.clone());
    }
    options
}

/// Loads a memor file as a session: a prompt or response becomes a one-message session.
fn load_session(path: &Path) -> Result<Session> {
    match load_object(path)? {
        Object::Session(s) => Ok(s),
        Object::Prompt(p) => Ok(Session::with_messages(None, vec![p.into()])),
        Object::Response(r) => Ok(Session::with_messages(None, vec![r.into()])),
        Object::Template(_) => Err(Failure::input(format!(
            "{}: a prompt template, not a session, prompt or response",
            path.display()
        ))),
    }
}

fn load_object(path: &Path) -> Result<Object> {
    let text = read_text(path)?;
    Object::from_json(&text).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
}

fn read_text(path: &Path) -> Result<String> {
    let bytes =
        std::fs::read(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        Failure::input(format!(
            "{}: not UTF-8 at byte {}",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

fn read_json(path: &Path) -> Result<Value> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::input(format!(
            "{}: malformed JSON at line {}, column {}: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

/// Prints a render: the payload on stdout, the report and warnings on stderr.
fn emit(rendered: &Rendered, pretty: bool) -> Result<()> {
    match &rendered.payload {
        Payload::Text(text) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(Failure::input(format!("cannot write to stdout: {e}")));
            }
        }
        payload @ (Payload::Json(_) | Payload::Messages(_)) if pretty => {
            print_json(&payload.to_value().unwrap_or_default(), true)?;
        }
        payload => print(&payload.to_json_string())?,
    }
    for change in rendered.report.iter() {
        eprintln!("report: {change}");
    }
    for warning in &rendered.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(())
}

/// The counter for `model`: exact under its OpenAI encoding when known (and built with the
/// `tiktoken` feature), else memor's UNIVERSAL estimate; without a model, the estimate.
fn counter_for(model: Option<&str>) -> Counter {
    match model {
        Some(m) => Counter::for_model(m, Estimator::Universal),
        None => Counter::estimate(Estimator::Universal),
    }
}

fn kind_json(kind: CountKind) -> Value {
    match kind {
        CountKind::Exact { encoding } => json!({"kind": "exact", "encoding": encoding.name()}),
        CountKind::Estimate { method } => json!({"kind": "estimate", "method": method.to_string()}),
    }
}

/// Masks what does not fit in `budget - reserve` tokens, and says what was left out on stderr.
fn fit(
    session: &Session,
    target: &dyn Target,
    options: &RenderOptions,
    budget: u64,
    reserve: u64,
    pinned: &[usize],
) -> Result<Session> {
    let counter = counter_for(options.model.as_deref());
    let to_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let fit_options = FitOptions::new(to_usize(budget))
        .reserve(to_usize(reserve))
        .pinned(pinned.iter().copied())
        .render(options.clone());
    let fitted =
        memor_render::fit::fit(session, target, &counter, &fit_options).map_err(Failure::input)?;
    eprintln!("fit: {fitted}");
    for left in &fitted.left_out {
        eprintln!("fit: message {} left out ({})", left.index, left.reason);
    }
    Ok(fitted.session)
}

fn convert(
    file: &Path,
    from: &str,
    save: Option<&Path>,
    to: Option<&str>,
    options: &RenderArgs,
) -> Result<()> {
    let format = Format::from_str(from).map_err(Failure::usage)?;
    let target = to.map(find_target).transpose()?;
    let payload = read_json(file)?;
    let parsed = memor_render::parse(format, &payload)
        .map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
    for lost in &parsed.lost {
        match lost.index {
            Some(i) => eprintln!("lost: message {i}: {}", lost.what),
            None => eprintln!("lost: {}", lost.what),
        }
    }
    if let Some(path) = save {
        parsed
            .session
            .save(path)
            .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        eprintln!("saved {}", path.display());
    }
    match target {
        Some(t) => {
            let rendered = t
                .render(&parsed.session, &render_options(options))
                .map_err(Failure::input)?;
            emit(&rendered, options.pretty)
        }
        None if save.is_none() => print(&parsed.session.to_json().map_err(Failure::input)?),
        None => Ok(()),
    }
}

/// A file name for a conversation: its id made safe, else its position.
fn file_stem(id: Option<&str>, position: usize) -> String {
    let safe: String = id
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() {
        format!("conversation-{position:05}")
    } else {
        safe.to_owned()
    }
}

fn import(
    export: &Path,
    from: &str,
    out: &Path,
    max_conversation_bytes: Option<usize>,
    verbose: bool,
) -> Result<()> {
    let source = memor_import::Source::from_str(from).map_err(|_| {
        use memor_import::IntoEnumIterator;
        let known = memor_import::Source::iter().map(<&str>::from);
        unknown("source", from, known)
    })?;
    let mut options = memor_import::Options::default();
    if let Some(bytes) = max_conversation_bytes {
        options = options.max_conversation_bytes(bytes);
    }
    let mut conversations =
        memor_import::import(export, source, &options).map_err(Failure::input)?;
    std::fs::create_dir_all(out).map_err(|e| Failure::input(format!("{}: {e}", out.display())))?;

    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("importing");
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut written = Vec::new();
    let mut names = HashSet::new();
    let mut lost_total = 0usize;
    let mut failure = None;
    for (position, item) in (&mut conversations).enumerate() {
        let conversation = match item {
            Ok(c) => c,
            Err(e) => {
                failure = Some(Failure::input(e));
                break;
            }
        };
        if verbose {
            let label = conversation
                .id
                .as_deref()
                .or(conversation.title.as_deref())
                .unwrap_or("?");
            for s in &conversation.skipped {
                progress.suspend(|| {
                    eprintln!(
                        "skipped: {label}: {} ({})",
                        s.node.as_deref().unwrap_or("conversation"),
                        s.reason
                    );
                });
            }
            for n in &conversation.notes {
                progress.suspend(|| {
                    eprintln!(
                        "note: {label}: {} ({})",
                        n.node.as_deref().unwrap_or("conversation"),
                        n.reason
                    );
                });
            }
        }
        let Some((session, lost)) = conversation.to_session() else {
            continue;
        };
        lost_total += lost.len();
        let mut stem = file_stem(conversation.id.as_deref(), position);
        let mut n = 2;
        while !names.insert(stem.clone()) {
            stem = format!("{}-{n}", file_stem(conversation.id.as_deref(), position));
            n += 1;
        }
        let path = out.join(format!("{stem}.json"));
        session
            .save(&path)
            .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        written.push(json!({
            "file": path.display().to_string(),
            "title": conversation.title,
            "id": conversation.id,
            "messages": session.len(),
        }));
        progress.set_message(format!("{} conversations", written.len()));
        progress.tick();
    }
    progress.finish_and_clear();
    eprintln!("{}", conversations.report());
    if lost_total > 0 {
        eprintln!(
            "{lost_total} facts memor's format cannot hold (source ids, tool calls, reasoning, attachments, unknown models or dates); run with --verbose for the skipped items"
        );
    }
    print_json(&Value::Array(written), false)?;
    match failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

fn tokens(
    file: &Path,
    model: Option<&str>,
    estimator: Option<&str>,
    to: Option<&str>,
) -> Result<()> {
    let target = find_target(to.unwrap_or("openai"))?;
    let session = load_session(file)?;
    let counter = match estimator {
        Some(name) => {
            let method = Estimator::from_str(&name.to_ascii_uppercase()).map_err(|_| {
                let known = Estimator::ALL
                    .iter()
                    .map(|m| m.as_str().to_ascii_lowercase());
                unknown("estimator", name, known)
            })?;
            Counter::estimate(method)
        }
        None => counter_for(model),
    };
    let mut options = RenderOptions::default();
    if let Some(m) = model {
        options = options.model(m);
    }
    let counted = counter
        .count_render(target.as_ref(), &session, &options)
        .map_err(Failure::input)?;
    let messages = counter
        .count_messages(&session, counted.framing)
        .map_err(Failure::input)?;
    let mut out = kind_json(counted.total.kind);
    if let Some(obj) = out.as_object_mut() {
        obj.insert("tokens".into(), json!(counted.total.tokens));
        obj.insert("target".into(), json!(target.name()));
        if let Some(fallback) = counter.fallback() {
            obj.insert("fallback".into(), json!(fallback.to_string()));
        }
        obj.insert(
            "turns".into(),
            counted
                .turns
                .iter()
                .map(|t| json!({"role": t.role, "tokens": t.tokens}))
                .collect(),
        );
        obj.insert(
            "messages".into(),
            messages
                .iter()
                .map(|m| json!({"index": m.index, "role": m.role.to_string(), "tokens": m.tokens}))
                .collect(),
        );
    }
    if let Some(fallback) = counter.fallback() {
        eprintln!("note: {fallback}");
    }
    if !counted.total.is_exact() {
        eprintln!("note: {} is an estimate", counted.total);
    }
    print_json(&out, false)
}

fn search(file: &Path, query: &str, regex: bool, case_sensitive: bool) -> Result<()> {
    let session = load_session(file)?;
    let found = session
        .search_str(query, regex, case_sensitive)
        .map_err(|e| Failure::input(format!("query: {e}")))?;
    let matches: Vec<Value> = found
        .iter()
        .filter_map(|&i| session.get_message(i).map(|m| (i, m)))
        .map(|(i, m)| {
            describe(
                i,
                m,
                session.messages_status().get(i).copied().unwrap_or(false),
            )
        })
        .collect();
    print_json(&Value::Array(matches), false)
}

/// Targets whose payload is a string rather than JSON.
const TEXT_TARGETS: [&str; 5] = ["string", "chatml", "llama3", "mistral", "gemma"];

fn check(path: &Path, name: &str) -> Result<()> {
    let target = find_target(name)?;
    let payload = if TEXT_TARGETS.contains(&name) {
        Payload::Text(read_text(path)?)
    } else if matches!(name, "dictionary" | "items") {
        let text = read_text(path)?;
        Payload::Python(
            memor_core::json::parse(&text)
                .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?,
        )
    } else {
        Payload::Json(read_json(path)?)
    };
    let violations = target.validate(&payload);
    let list: Vec<Value> = violations
        .iter()
        .map(|v| json!({"index": v.index, "rule": v.rule, "message": v.message}))
        .collect();
    print_json(
        &json!({"target": name, "valid": violations.is_empty(), "violations": list}),
        false,
    )?;
    if violations.is_empty() {
        Ok(())
    } else {
        for v in &violations {
            eprintln!("violation: {v}");
        }
        Err(Failure::input(format!(
            "{}: {} violation(s) of the {name} rules",
            path.display(),
            violations.len()
        )))
    }
}

/// One message in a listing: index, type, role, enabled, id and text.
fn describe(index: usize, message: &Message, enabled: bool) -> Value {
    let text = message.render_string().map_or_else(
        |_| message.message().to_owned(),
        std::borrow::Cow::into_owned,
    );
    let mut v = json!({
        "index": index,
        "type": message.type_name(),
        "role": message.role().to_string(),
        "enabled": enabled,
        "id": message.id(),
        "text": text,
    });
    if let (Some(p), Some(obj)) = (message.as_prompt(), v.as_object_mut()) {
        obj.insert("responses".into(), json!(p.responses().len()));
    }
    v
}

fn show(file: &Path) -> Result<()> {
    let object = load_object(file)?;
    let value = match &object {
        Object::Session(s) => {
            let messages: Vec<Value> = s
                .messages()
                .iter()
                .enumerate()
                .map(|(i, m)| describe(i, m, s.messages_status().get(i).copied().unwrap_or(false)))
                .collect();
            json!({
                "kind": "Session",
                "title": s.title(),
                "date_created": s.date_created().to_string(),
                "messages": s.len(),
                "enabled": s.enabled_messages().count(),
                "size": s.size(),
                "list": messages,
            })
        }
        Object::Prompt(p) => json!({
            "kind": "Prompt",
            "role": p.role().to_string(),
            "id": p.id(),
            "message": p.message(),
            "responses": p.responses().len(),
            "size": p.size(),
        }),
        Object::Response(r) => json!({
            "kind": "Response",
            "role": r.role().to_string(),
            "model": r.model(),
            "id": r.id(),
            "message": r.message(),
            "size": r.size(),
        }),
        Object::Template(t) => json!({
            "kind": "PromptTemplate",
            "title": t.title(),
            "content": t.content(),
        }),
    };
    print_json(&value, true)
}
