//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Keep conversations with language models as memor files, and carry them to the next model.
#[derive(Debug, Parser)]
#[command(name = "memor", version, about, long_about = None, after_help = EXAMPLES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

const EXAMPLES: &str = "\
Examples:
  memor render examples/data/session.json --to anthropic --model claude-sonnet-4-5
  memor convert request.json --from openai --to gemini --save session.json
  memor import conversations.json --from chatgpt --out sessions/
  memor tokens examples/data/session.json --model gpt-4o
  memor search examples/data/session.json 'paris' --case-sensitive
  memor check payload.json --target anthropic
  memor show examples/data/session.json";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Render a memor session, prompt or response file for a target; the payload goes to stdout.
    #[command(
        after_help = "Example:\n  memor render session.json --to anthropic --model claude-sonnet-4-5 --max-tokens 1024"
    )]
    Render {
        /// The memor file.
        file: PathBuf,
        #[command(flatten)]
        target: TargetArgs,
        /// Keep only what fits in this many tokens (with `--reserve` left for the reply).
        #[arg(long, value_name = "N")]
        budget: Option<u64>,
        /// Tokens kept free for the reply when fitting to `--budget`.
        #[arg(long, value_name = "N", default_value_t = 0, requires = "budget")]
        reserve: u64,
        /// Messages (indices) kept whatever their age when fitting to `--budget`.
        #[arg(long, value_name = "I", value_delimiter = ',', requires = "budget")]
        pin: Vec<usize>,
    },
    /// Read a provider payload, and render it for another target or save it as a memor session.
    #[command(
        after_help = "Example:\n  memor convert request.json --from openai --to anthropic --save session.json"
    )]
    Convert {
        /// The payload file (JSON).
        file: PathBuf,
        /// The payload's format: openai, openai-completion, anthropic, anthropic-message,
        /// gemini, gemini-response, openai-responses, ollama.
        #[arg(long, value_name = "FORMAT")]
        from: String,
        /// Where to save the memor session.
        #[arg(long, value_name = "OUT.json")]
        save: Option<PathBuf>,
        #[command(flatten)]
        target: OptionalTarget,
    },
    /// Import a chat-product export: one memor file per conversation in `--out`.
    #[command(
        after_help = "Example:\n  memor import chatgpt-export.zip --from chatgpt --out sessions/"
    )]
    Import {
        /// The export: a file, a folder or a `.zip`.
        export: PathBuf,
        /// chatgpt, claude, gemini-takeout, ai-studio or gemini-cli.
        #[arg(long, value_name = "SOURCE")]
        from: String,
        /// The folder the memor files go to (created if needed).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The largest conversation imported, in bytes of the source.
        #[arg(long, value_name = "BYTES")]
        max_conversation_bytes: Option<usize>,
        /// List every skipped item and note on stderr.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Count the tokens of a memor file, exactly for a model or with an estimator.
    #[command(after_help = "Example:\n  memor tokens session.json --model gpt-4o --to openai")]
    Tokens {
        /// The memor file.
        file: PathBuf,
        /// Count exactly with this model's tokenizer (OpenAI models).
        #[arg(long, value_name = "M", conflicts_with = "estimator")]
        model: Option<String>,
        /// Estimate with one of memor's estimators: `universal`, `openai_gpt_3_5`, `openai_gpt_4`.
        #[arg(long, value_name = "NAME")]
        estimator: Option<String>,
        /// Count the payload for this target (default `openai`).
        #[arg(long, value_name = "TARGET")]
        to: Option<String>,
    },
    /// Search the messages of a memor session; prints the matches.
    #[command(after_help = "Example:\n  memor search session.json 'tok(en|ens)' --regex")]
    Search {
        /// The memor file.
        file: PathBuf,
        /// What to look for.
        query: String,
        /// Read the query as a Python regular expression.
        #[arg(long)]
        regex: bool,
        /// Match case exactly.
        #[arg(long)]
        case_sensitive: bool,
    },
    /// Check a payload against a target's rules, offline; exit code 1 when it breaks any.
    #[command(after_help = "Example:\n  memor check body.json --target anthropic")]
    Check {
        /// The payload file (JSON, or text for chat-template targets).
        payload: PathBuf,
        /// The target whose rules apply.
        #[arg(long, value_name = "TARGET")]
        target: String,
    },
    /// Describe a memor file: its kind, title and messages.
    Show {
        /// The memor file.
        file: PathBuf,
    },
    /// Write a session as a table (memor's `to_dataframe` columns) in Arrow IPC or Parquet.
    #[cfg(feature = "table")]
    #[command(
        after_help = "Example:\n  memor export session.json --format parquet --out session.parquet"
    )]
    Export {
        /// The memor session file.
        file: PathBuf,
        /// `arrow` (Arrow IPC file) or `parquet`.
        #[arg(long, value_name = "FORMAT")]
        format: String,
        /// The table file to write.
        #[arg(long, value_name = "OUT")]
        out: PathBuf,
    },
    /// Read a table written by `memor export` (or by pandas from memor's `to_dataframe`) back
    /// into a memor session file.
    #[cfg(feature = "table")]
    #[command(after_help = "Example:\n  memor import-table session.parquet --out session.json")]
    ImportTable {
        /// The Arrow IPC or Parquet file.
        table: PathBuf,
        /// The memor session file to write.
        #[arg(long, value_name = "OUT.json")]
        out: PathBuf,
        /// The session title.
        #[arg(long)]
        title: Option<String>,
    },
}

/// The target of a render and its options.
#[derive(Debug, Args)]
pub(crate) struct TargetArgs {
    /// The target: string, openai, ai-studio, dictionary, items, chat, openai-responses,
    /// anthropic, gemini, ollama, chatml, llama3, mistral, gemma.
    #[arg(long, value_name = "TARGET")]
    pub(crate) to: String,
    #[command(flatten)]
    pub(crate) options: RenderArgs,
}

/// An optional target.
#[derive(Debug, Args)]
pub(crate) struct OptionalTarget {
    /// The target to render for (see `memor render --help`).
    #[arg(long, value_name = "TARGET")]
    pub(crate) to: Option<String>,
    #[command(flatten)]
    pub(crate) options: RenderArgs,
}

/// Render options.
#[derive(Debug, Args)]
pub(crate) struct RenderArgs {
    /// The model name to put in the request.
    #[arg(long, value_name = "M")]
    pub(crate) model: Option<String>,
    /// The most tokens to generate.
    #[arg(long, value_name = "N")]
    pub(crate) max_tokens: Option<u64>,
    /// The sampling temperature.
    #[arg(long, value_name = "T")]
    pub(crate) temperature: Option<f64>,
    /// A variant of the target (`v1`, `v7` for mistral; `gemma2`, `gemma3` for gemma).
    #[arg(long, value_name = "V")]
    pub(crate) variant: Option<String>,
    /// For chat templates: end with the opening of an assistant turn.
    #[arg(long)]
    pub(crate) add_generation_prompt: bool,
    /// Pretty-print JSON payloads.
    #[arg(long)]
    pub(crate) pretty: bool,
}
