//! `yin datoms PATH [--format edn|json]`: the AST datoms of one file.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use analysis::{SourceFile, disk};

use super::{EXIT_USAGE, report_error, report_warning};
use crate::DataFormat;

pub(crate) fn run(path: &Path, format: DataFormat) -> ExitCode {
    let bytes = match disk::read_regular(path, disk::MAX_SOURCE_BYTES) {
        Ok(bytes) => bytes,
        Err(err) => {
            report_error(&format!("{}: {err}", path.display()));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let file = SourceFile::from_bytes(&bytes);
    let errors = file
        .diagnostics()
        .iter()
        .filter(|d| d.severity == analysis::Severity::Error)
        .count();
    if errors > 0 {
        report_warning(&format!(
            "{}: {errors} error(s) in the source; the datoms cover what could be read (see `yin check`)",
            path.display()
        ));
    }
    let datoms = file.datoms();
    let text = match format {
        DataFormat::Edn => edn::datoms_to_edn(&datoms),
        DataFormat::Json => {
            // One datom per line, like the EDN output, so the output diffs and greps well.
            let rows: Vec<String> = datoms
                .iter()
                .map(|d| {
                    serde_json::json!([d.e, d.a.to_string(), crate::json::from_edn(&d.v)])
                        .to_string()
                })
                .collect();
            format!("[{}]\n", rows.join(",\n "))
        }
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report_error(&format!("cannot write the datoms: {err}"));
            ExitCode::from(EXIT_USAGE)
        }
    }
}
