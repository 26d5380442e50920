//! `yin`: the language server and the command line, one binary.
//!
//! This crate only converts: command-line arguments and LSP messages in, calls into the
//! protocol-free `analysis` facade, text or JSON out. It is the only crate that knows about
//! process exit codes, stdout/stderr, JSON output formats or the LSP.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod cli;
mod json;
mod lsp;

#[derive(Parser)]
#[command(
    name = "yin",
    version,
    about = "Language server and tools for the yin language"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the language server on stdin/stdout.
    Lsp,
    /// Evaluates the top-level forms of FILE (or of -e SOURCE) in order and prints the last value.
    Eval {
        /// The file to evaluate.
        #[arg(required_unless_present = "expr", conflicts_with = "expr")]
        file: Option<PathBuf>,
        /// Source text to evaluate instead of a file.
        #[arg(short = 'e', value_name = "SOURCE", allow_hyphen_values = true)]
        expr: Option<String>,
        #[command(flatten)]
        options: cli::eval::Options,
    },
    /// Continues a program saved by `yin eval --save-state`.
    Resume {
        /// The saved state.
        state: PathBuf,
        /// Source whose value the parked expression returns (default nil).
        #[arg(long, value_name = "SOURCE")]
        value: Option<String>,
        #[command(flatten)]
        options: cli::eval::Options,
    },
    /// Lints files and folders (folders are searched for .yin files).
    Check {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// A folder of extra rule files (.edn).
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Runs a Datalog query over the datoms of the given files.
    Query {
        query: String,
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// A file of rules for the query's `%` input.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = DataFormat::Edn)]
        format: DataFormat,
    },
    /// Prints the AST datoms of a file.
    Datoms {
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = DataFormat::Edn)]
        format: DataFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum DataFormat {
    Edn,
    Json,
}

/// Counts what each thread holds, so a program's memory budget (`Limits::max_memory`) holds.
#[global_allocator]
static ALLOC: analysis::eval::CountingAlloc = analysis::eval::CountingAlloc;

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Command::Check {
            paths,
            rules,
            format,
        } => cli::check::run(&paths, rules.as_deref(), format),
        Command::Lsp => lsp::run(),
        Command::Eval {
            file,
            expr,
            options,
        } => {
            let program = match (&expr, &file) {
                (Some(expr), _) => cli::eval::Program::Expr(expr),
                (None, Some(file)) => cli::eval::Program::File(file),
                // clap requires one of the two.
                (None, None) => return cli::usage("eval needs FILE or -e SOURCE"),
            };
            cli::eval::run(program, &options)
        }
        Command::Resume {
            state,
            value,
            options,
        } => cli::eval::resume(&state, value.as_deref(), &options),
        Command::Query {
            query,
            paths,
            rules,
            format,
        } => cli::query::run(&query, &paths, rules.as_deref(), format),
        Command::Datoms { path, format } => cli::datoms::run(&path, format),
    }
}
