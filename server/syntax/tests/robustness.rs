//! Hostile input: deep nesting, huge desugarings, runaway macros. Nothing may panic or overflow
//! the stack; each case ends in a diagnostic or a complete lowering.

use edn::Symbol;
use syntax::file::FileLowering;
use syntax::form::{Form, FormKind};
use syntax::lower::{MacroExpander, NoMacros, lower};
use syntax::reader::read_str;
use syntax::scope::{Resolved, resolve};
use syntax::{Ast, NodeKind};

/// Runs `f` on a thread with the default 2 MiB stack of spawned threads.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("a thread starts")
        .join()
        .expect("the case neither panics nor overflows");
}

fn codes(file: &FileLowering) -> Vec<&'static str> {
    file.diagnostics().iter().map(|d| d.code).collect()
}

#[test]
fn deep_nesting_is_cut_with_a_diagnostic() {
    on_small_stack(|| {
        // 200,000 levels of plain nesting; special forms nest 5,000 deep (far past the limit,
        // where lowering recurses most per level) to keep the test quick.
        let cases = [
            ("(", ")", 200_000),
            ("[", "]", 200_000),
            ("'", "", 200_000),
            ("{:k ", "}", 5_000),
            ("#{", "}", 5_000),
            ("(let [a ", "] a)", 5_000),
            ("(fn [a] ", ")", 5_000),
            ("(defn f \"doc\" ([a] ", "))", 5_000),
            ("(cond a ", ")", 5_000),
            ("(when-not a ", ")", 5_000),
            ("(-> a ", ")", 5_000),
            ("(loop [i 0] (recur ", "))", 5_000),
        ];
        for (open, close, depth) in cases {
            let text = format!("{}x{}", open.repeat(depth), close.repeat(depth));
            let file = FileLowering::from_text(&text);
            assert!(
                codes(&file).contains(&"too-deep"),
                "{open}: {:?}",
                codes(&file)
            );
            assert!(!file.datoms().is_empty());
            let (forms, diagnostics) = read_str(&text);
            assert_eq!(forms.len(), 1);
            assert!(diagnostics.iter().any(|d| d.code == "too-deep"));
            let lowered = lower(&forms[0], &mut NoMacros);
            assert!(lowered.ast.root().is_some());
        }
    });
}

#[test]
fn long_desugarings_stay_flat() {
    on_small_stack(|| {
        let clauses: String = (0..50_000).map(|i| format!("(= x {i}) {i} ")).collect();
        let text = format!("(fn [x] (cond {clauses}))");
        let file = FileLowering::from_text(&text);
        assert!(file.diagnostics().is_empty());
        let form = file.forms().get(0).expect("one form");
        let ast = &form.ast;
        let resolution = resolve(ast);
        let locals = ast
            .iter()
            .filter(|(id, _)| matches!(resolution.lookup(*id), Some(Resolved::Local(_))))
            .count();
        assert_eq!(locals, 50_000);

        let steps = "(inc) ".repeat(10_000);
        let file = FileLowering::from_text(&format!("(-> 1 {steps})"));
        assert!(codes(&file).contains(&"too-deep"));
    });
}

/// Knows `unless` (rewritten to `if`), `forever` (expands to itself) and `broken` (fails).
struct TestMacros;

impl MacroExpander for TestMacros {
    fn is_macro(&self, name: &Symbol) -> bool {
        matches!(name.as_str(), "unless" | "forever" | "broken")
    }

    fn expand(&mut self, call: &Form) -> Result<Form, String> {
        let FormKind::List(items) = &call.kind else {
            return Err("not a call".into());
        };
        let sym = |s: &str| Form {
            kind: FormKind::Symbol(Symbol::new(s)),
            span: call.span,
        };
        match items[0].kind {
            FormKind::Symbol(ref s) if s.as_str() == "unless" => Ok(Form {
                kind: FormKind::List(vec![
                    sym("if"),
                    items[1].clone(),
                    Form {
                        kind: FormKind::Nil,
                        span: call.span,
                    },
                    items[2].clone(),
                ]),
                span: call.span,
            }),
            FormKind::Symbol(ref s) if s.as_str() == "forever" => Ok(call.clone()),
            _ => Err("broken on purpose".into()),
        }
    }
}

fn lower_with_macros(text: &str) -> (Ast, Vec<&'static str>) {
    let (forms, _) = read_str(text);
    let lowered = lower(&forms[0], &mut TestMacros);
    (
        lowered.ast,
        lowered.diagnostics.iter().map(|d| d.code).collect(),
    )
}

#[test]
fn macros_expand_unless_shadowed() {
    let (ast, diagnostics) = lower_with_macros("(unless false 1)");
    assert!(diagnostics.is_empty());
    let root = ast.root().unwrap();
    assert!(matches!(ast.node(root).kind, NodeKind::If { .. }));

    let (ast, diagnostics) = lower_with_macros("(fn [unless] (unless false 1))");
    assert!(diagnostics.is_empty());
    assert!(
        ast.iter()
            .any(|(_, n)| matches!(n.kind, NodeKind::Application { .. }))
    );
}

#[test]
fn runaway_and_failing_macros_are_diagnostics() {
    on_small_stack(|| {
        let (ast, diagnostics) = lower_with_macros("(forever)");
        assert_eq!(diagnostics, ["macro"]);
        assert!(matches!(
            ast.node(ast.root().unwrap()).kind,
            NodeKind::Error(_)
        ));
        let (_, diagnostics) = lower_with_macros("(do (broken 1))");
        assert_eq!(diagnostics, ["macro"]);
    });
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any text made of yin's syntax characters lowers without panicking, and every diagnostic
    /// points inside the text.
    #[test]
    fn arbitrary_text_never_panics(text in r#"[()\[\]{}#^'`~@:;\\"/.&%a-z0-9 \n_!?*+<>=-]{0,80}"#) {
        let file = FileLowering::from_text(&text);
        for d in file.diagnostics() {
            proptest::prop_assert!(usize::from(d.range.end()) <= text.len(), "{d:?}");
        }
        let _ = file.datoms();
        let (forms, _) = read_str(&text);
        for form in &forms {
            let lowered = lower(form, &mut NoMacros);
            proptest::prop_assert!(lowered.ast.root().is_some());
        }
    }
}

#[test]
fn a_run_of_unclosed_openers_reads_with_an_error() {
    // Tree-sitter's recovery keeps these as forms with nothing MISSING; the evaluator must still
    // see an error rather than run the remains.
    for depth in [1, 300, 50_000] {
        let text = "(".repeat(depth);
        let (_, diagnostics) = read_str(&text);
        assert!(
            diagnostics
                .iter()
                .any(|d| d.severity == syntax::Severity::Error),
            "{depth}: {diagnostics:?}"
        );
    }
}
