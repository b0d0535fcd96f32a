//! `obstruction`: the relu-obstruction core on the command line. Every subcommand prints one JSON
//! object on stdout; bad arguments print one line on stderr and exit with code 2.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main());
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use relu_obstruction::app::export::{RunExport, replay};
    use relu_obstruction::app::fig1b::Fig1bModel;
    use relu_obstruction::app::fig3::Fig3Model;
    use relu_obstruction::app::fig4::Fig4Model;
    use relu_obstruction::app::heatmaps::{HeatmapsModel, Map};
    use relu_obstruction::app::lab::LabModel;
    use relu_obstruction::app::link::{View, parse_link};
    use relu_obstruction::app::topology::TopologyModel;
    use relu_obstruction::app::tour::TourModel;
    use relu_obstruction::app::view::{ViewModel, link_state, open_link, set};
    use relu_obstruction::core::data::Dataset;
    use relu_obstruction::core::init::InitScheme;
    use relu_obstruction::core::inspect::{check, rebalance};
    use relu_obstruction::core::kernel::{Scratch, loss};
    use relu_obstruction::core::network::Batch;
    use relu_obstruction::core::probability::{
        Estimate, monte_carlo_p, obstruction_odds, odds_from_p,
    };
    use relu_obstruction::core::topology::{
        betti_numbers, component_label, connected_components, effective_components,
        obstruction_verdict, pathological_neurons, pathological_signs,
    };
    use relu_obstruction::core::train::{Integrator, Trainer};
    use relu_obstruction::core::weights::{check_weights_size, parse_weights, weights_json};
    use relu_obstruction::experiments::presets::{
        FIG4_DEFAULT_L, FIG4_DEFAULT_L_PLUS, Preset, fig4_on,
    };
    use relu_obstruction::experiments::sweep::{SweepConfig, run_job, run_sweep, sweep_data};
    use relu_obstruction::present::figures::{PaperFigures, paper_figures};
    use serde_json::{Value, json};
    use std::time::Instant;

    const USAGE: &str = "usage: obstruction <command> [options]
commands:
  topology    --d D --e E --c C1,C2,...
  check       --weights FILE.json   (your own network, PyTorch's nn.Linear shapes:
              {\"W\": l × d, \"v\": e × l, \"b\": l (optional), \"b_out\": e (optional)}; prints c_k,
              l+, l−, l0, components, pathological neurons (1-based) and their stuck signs)
  rebalance   --weights FILE.json [--target C]   (the same network rescaled onto c_k = C for
              every k, default 0, the function unchanged; prints the weights file)
  probability --init xavier|kaiming|<scheme> --d D --l L [--e E] [--mc SAMPLES --seed S]
  train       --preset NAME [--steps N] [--lr ETA] [--integrator gd|flow|conserving] [--seed S]
              [--l L --l-plus P]   (fig4 only)
  train       --from FILE.json     (replay the runs of a JSON file exported by the page)
  train       --weights FILE.json --data FILE.csv --steps N --lr ETA [--optimizer gd|sgd|momentum|adam]
              [--batch B] [--momentum BETA] [--beta1 B1 --beta2 B2 --eps EPS] [--weight-decay LAMBDA]
              [--activation relu|leaky_relu:A|softplus] [--integrator gd|flow|conserving]
              [--loss mse|bce] [--seed S]   (your network on your data, as the page's lab)
  figures     --out DIR [--quick]  (every paper figure as SVG with its data as CSV; --quick: a
              small Fig. 4 sweep)
  sweep       --widths 1,2,4,8 --seeds S --steps N [--lr ETA]
  bench       [--seconds T]
  export      --preset NAME [--seed S] [--l L --l-plus P]   (data and initial θ, for the peers)
  export-sweep --widths 1,2,4,8 --seeds S                   (every job's initial θ and the data)
  view        LINK [--set KEY=TEXT | --group N KEY=TEXT… | --frames N | --step | --run | --key NAME |
              --press BUTTON]…
              (a view of the page opened from LINK, then driven as the page drives it: typed
              values (one by one, or N applied together), animation frames, the Step and Run
              buttons, keys on the figure, other buttons; prints its readout, its link and what was refused)
presets: fig3-obstructed-pp, fig3-obstructed-mm, fig3-good-pm, fig3-good-nonpathological, fig4
schemes: xavier_normal, xavier_uniform, kaiming_normal, kaiming_uniform, kaiming_normal_fan_out,
         kaiming_uniform_fan_out";

    /// A failure of the command line: a usage error (exit 2) or a run that diverged (exit 1).
    enum Failure {
        Usage(String),
        Run(String),
    }

    impl<E: std::fmt::Display> From<E> for Failure {
        fn from(e: E) -> Self {
            Failure::Usage(e.to_string())
        }
    }

    type Res<T> = Result<T, Failure>;

    pub fn main() -> i32 {
        let args: Vec<String> = std::env::args().skip(1).collect();
        match output(&args) {
            Ok(text) => {
                println!("{text}");
                0
            }
            Err(Failure::Usage(msg)) => {
                eprintln!("obstruction: error: {msg} (see 'obstruction --help')");
                2
            }
            Err(Failure::Run(msg)) => {
                eprintln!("obstruction: {msg}");
                1
            }
        }
    }

    /// Options as `--name value` pairs, each name at most once.
    struct Options(Vec<(String, String)>);

    impl Options {
        fn parse(args: &[String], allowed: &[&str]) -> Res<Self> {
            let mut parser = lexopt::Parser::from_args(args.iter().cloned());
            let mut out: Vec<(String, String)> = Vec::new();
            while let Some(arg) = parser.next()? {
                match arg {
                    lexopt::Arg::Long(name) => {
                        let name = name.to_string();
                        if !allowed.contains(&name.as_str()) {
                            return Err(Failure::Usage(format!("unknown option --{name}")));
                        }
                        if out.iter().any(|(n, _)| *n == name) {
                            return Err(Failure::Usage(format!("--{name} given twice")));
                        }
                        let value = parser
                            .value()?
                            .into_string()
                            .map_err(|_| format!("--{name}: not valid UTF-8"))?;
                        out.push((name, value));
                    }
                    other => return Err(other.unexpected().into()),
                }
            }
            Ok(Self(out))
        }

        fn get(&self, name: &str) -> Option<&str> {
            self.0
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }

        fn required(&self, name: &str) -> Res<&str> {
            self.get(name)
                .ok_or_else(|| Failure::Usage(format!("--{name} is required")))
        }

        fn number<T: std::str::FromStr>(&self, name: &str, default: Option<T>) -> Res<T> {
            match (self.get(name), default) {
                (Some(s), _) => s
                    .trim()
                    .parse()
                    .map_err(|_| Failure::Usage(format!("--{name}: '{s}' is not a valid number"))),
                (None, Some(d)) => Ok(d),
                (None, None) => Err(Failure::Usage(format!("--{name} is required"))),
            }
        }

        fn list<T: std::str::FromStr>(&self, name: &str) -> Res<Vec<T>> {
            let s = self.required(name)?;
            s.split(',')
                .map(|x| {
                    x.trim().parse().map_err(|_| {
                        Failure::Usage(format!("--{name}: '{x}' is not a valid number"))
                    })
                })
                .collect()
        }
    }

    /// What a command prints: a weights file for `rebalance`, one JSON value for every other.
    fn output(args: &[String]) -> Res<String> {
        if args.first().map(String::as_str) == Some("rebalance") {
            return rebalance_weights(&Options::parse(&args[1..], &["weights", "target"])?);
        }
        dispatch(args).map(|v| v.to_string())
    }

    /// The network of `--weights FILE.json`: its size checked before it is read.
    fn read_weights(o: &Options) -> Res<relu_obstruction::core::network::Network> {
        let path = o.required("weights")?;
        let bad = |msg: String| Failure::Usage(format!("--weights {path}: {msg}"));
        let meta = std::fs::metadata(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        if !meta.is_file() {
            return Err(bad("not a file".into()));
        }
        check_weights_size(meta.len()).map_err(|e| bad(e.message))?;
        let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| bad("The file is not UTF-8 text; a weights file is JSON.".into()))?;
        parse_weights(&text).map_err(|e| bad(e.message))
    }

    /// `check --weights FILE.json`: what the lab reports about the network.
    fn check_weights(o: &Options) -> Res<Value> {
        let net = read_weights(o)?;
        Ok(serde_json::to_value(check(&net))?)
    }

    /// `rebalance --weights FILE.json [--target C]`: the rebalanced weights file.
    fn rebalance_weights(o: &Options) -> Res<String> {
        let target: f64 = o.number("target", Some(0.0))?;
        let net = read_weights(o)?;
        let out = rebalance(&net, target)?;
        Ok(weights_json(&out).trim_end().to_string())
    }

    fn dispatch(args: &[String]) -> Res<Value> {
        let Some(cmd) = args.first() else {
            return Err(Failure::Usage("no command given".into()));
        };
        let rest = &args[1..];
        match cmd.as_str() {
            "-h" | "--help" | "help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "topology" => topology(&Options::parse(rest, &["d", "e", "c"])?),
            "check" => check_weights(&Options::parse(rest, &["weights"])?),
            "probability" => probability(&Options::parse(
                rest,
                &["init", "d", "l", "e", "mc", "seed"],
            )?),
            "train" => {
                let o = Options::parse(
                    rest,
                    &[
                        "preset",
                        "steps",
                        "lr",
                        "integrator",
                        "seed",
                        "l",
                        "l-plus",
                        "from",
                        "weights",
                        "data",
                        "optimizer",
                        "batch",
                        "momentum",
                        "beta1",
                        "beta2",
                        "eps",
                        "weight-decay",
                        "activation",
                        "loss",
                    ],
                )?;
                if o.get("weights").is_some() {
                    train_weights(&o)
                } else if o.get("from").is_some() {
                    train_from(&o)
                } else {
                    train(&o)
                }
            }
            "figures" => figures(rest),
            "sweep" => sweep(&Options::parse(rest, &["widths", "seeds", "steps", "lr"])?),
            "bench" => bench(&Options::parse(rest, &["seconds"])?),
            "export" => export(&Options::parse(rest, &["preset", "seed", "l", "l-plus"])?),
            "export-sweep" => export_sweep(&Options::parse(rest, &["widths", "seeds"])?),
            "view" => view(rest),
            other => Err(Failure::Usage(format!("unknown command '{other}'"))),
        }
    }

    /// One action of `view`, in the order given.
    enum Action {
        Set(String, String),
        Frames(u64),
        Step,
        Run,
        Key(String),
        Press(String),
        Group(Vec<(String, String)>),
    }

    fn view_actions(args: &[String]) -> Res<(String, Vec<Action>)> {
        let mut it = args.iter();
        let link = it
            .next()
            .filter(|a| !a.starts_with("--"))
            .ok_or_else(|| Failure::Usage("view needs a LINK such as '#fig3?v=1&step=10'".into()))?
            .clone();
        let mut actions = Vec::new();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
            };
            match arg.as_str() {
                "--set" => {
                    let kv = value("--set")?;
                    let (k, v) = kv
                        .split_once('=')
                        .ok_or_else(|| Failure::Usage(format!("--set {kv}: expected KEY=TEXT")))?;
                    actions.push(Action::Set(k.into(), v.into()));
                }
                "--frames" => {
                    let n = value("--frames")?;
                    let n = n
                        .parse()
                        .map_err(|_| Failure::Usage(format!("--frames {n}: not a count")))?;
                    actions.push(Action::Frames(n));
                }
                "--step" => actions.push(Action::Step),
                "--run" => actions.push(Action::Run),
                "--key" => actions.push(Action::Key(value("--key")?)),
                "--press" => actions.push(Action::Press(value("--press")?)),
                "--group" => {
                    let n = value("--group")?;
                    let n: usize = n
                        .parse()
                        .map_err(|_| Failure::Usage(format!("--group {n}: not a count")))?;
                    let mut entries = Vec::with_capacity(n);
                    for _ in 0..n {
                        let kv = value("--group")?;
                        let (k, v) = kv.split_once('=').ok_or_else(|| {
                            Failure::Usage(format!("--group: {kv}: expected KEY=TEXT"))
                        })?;
                        entries.push((k.to_string(), v.to_string()));
                    }
                    actions.push(Action::Group(entries));
                }
                other => return Err(Failure::Usage(format!("unknown option {other}"))),
            }
        }
        Ok((link, actions))
    }

    /// What a view does with the actions beyond typed values; `None` when it has no such action.
    trait Driven: ViewModel {
        /// What the page does right after opening a link (a replay that runs across frames).
        fn settle(&mut self) {}
        /// One animation frame.
        fn frame(&mut self) -> Option<()>;
        /// The Step button.
        fn step(&mut self) -> Option<()>;
        /// Runs what the view's Run button starts, to the end.
        fn run(&mut self) -> Option<Result<(), String>>;
        /// A key pressed on the view's figure.
        fn key(&mut self, name: &str) -> Option<()>;
        /// A button of the view other than Step and Run, by name.
        fn press(&mut self, _name: &str) -> Option<()> {
            None
        }
        /// Fields applied together (the view's refusal of the group, or null).
        fn group(&mut self, _entries: &[(&str, &str)]) -> Option<Value> {
            None
        }
    }

    impl Driven for Fig3Model {
        fn settle(&mut self) {
            while self.replay() {}
        }
        fn frame(&mut self) -> Option<()> {
            Fig3Model::frame(self);
            Some(())
        }
        fn step(&mut self) -> Option<()> {
            self.step_once();
            Some(())
        }
        fn run(&mut self) -> Option<Result<(), String>> {
            None
        }
        fn key(&mut self, _: &str) -> Option<()> {
            None
        }
    }

    /// The tour's keys are presentation mode's: `]` or PageDown for the next step, `[` or PageUp
    /// for the previous one; its buttons are `next` and `prev`.
    impl Driven for TourModel {
        fn frame(&mut self) -> Option<()> {
            None
        }
        fn step(&mut self) -> Option<()> {
            None
        }
        fn run(&mut self) -> Option<Result<(), String>> {
            None
        }
        fn key(&mut self, name: &str) -> Option<()> {
            match name {
                "]" | "PageDown" => self.next_step(),
                "[" | "PageUp" => self.prev_step(),
                _ => return None,
            };
            Some(())
        }
        fn press(&mut self, name: &str) -> Option<()> {
            match name {
                "next" => self.next_step(),
                "prev" => self.prev_step(),
                _ => return None,
            };
            Some(())
        }
    }

    impl Driven for Fig4Model {
        fn frame(&mut self) -> Option<()> {
            None
        }
        fn step(&mut self) -> Option<()> {
            None
        }
        fn run(&mut self) -> Option<Result<(), String>> {
            Some(run_fig4_sweep(self))
        }
        fn key(&mut self, name: &str) -> Option<()> {
            Fig4Model::key(self, name);
            Some(())
        }
    }

    impl Driven for Fig1bModel {
        fn frame(&mut self) -> Option<()> {
            self.step_frame();
            Some(())
        }
        fn step(&mut self) -> Option<()> {
            Fig1bModel::step(self, 1);
            Some(())
        }
        fn run(&mut self) -> Option<Result<(), String>> {
            None
        }
        fn key(&mut self, name: &str) -> Option<()> {
            Fig1bModel::key(self, name, false);
            Some(())
        }
        fn press(&mut self, name: &str) -> Option<()> {
            match name {
                "rescale" => self.rescale(),
                "reset" => self.reset(),
                "start-here" => self.start_here(),
                "good-start" => self.good_start(),
                "pathological-start" => self.pathological_start(),
                _ => return None,
            };
            Some(())
        }
    }

    impl Driven for TopologyModel {
        fn frame(&mut self) -> Option<()> {
            None
        }
        fn step(&mut self) -> Option<()> {
            None
        }
        fn run(&mut self) -> Option<Result<(), String>> {
            None
        }
        fn key(&mut self, _: &str) -> Option<()> {
            None
        }
        fn press(&mut self, name: &str) -> Option<()> {
            (name == "take-network").then(|| {
                self.take_network();
            })
        }
        fn group(&mut self, entries: &[(&str, &str)]) -> Option<Value> {
            let r = self.set_group(entries);
            Some(if r.ok { Value::Null } else { json!(r) })
        }
    }

    impl Driven for LabModel {
        fn settle(&mut self) {
            LabModel::settle(self);
        }
        fn frame(&mut self) -> Option<()> {
            // A frame of the page: slices of work until the model says the frame is done.
            self.begin_frame();
            while self.work() {}
            Some(())
        }
        fn step(&mut self) -> Option<()> {
            LabModel::step(self, 1);
            Some(())
        }
        fn run(&mut self) -> Option<Result<(), String>> {
            None
        }
        fn key(&mut self, _: &str) -> Option<()> {
            None
        }
        fn press(&mut self, name: &str) -> Option<()> {
            match name {
                "play" => self.set_playing(true),
                "reset" => self.reset(),
                "rebalance" => {
                    self.rebalance();
                }
                _ => return None,
            }
            Some(())
        }
    }

    impl Driven for HeatmapsModel {
        fn frame(&mut self) -> Option<()> {
            HeatmapsModel::frame(self);
            Some(())
        }
        fn step(&mut self) -> Option<()> {
            None
        }
        fn run(&mut self) -> Option<Result<(), String>> {
            None
        }
        /// `MAP:KEY` (`kaiming:ArrowUp`), or `KEY` on the selected map (else Xavier), after the
        /// map got the focus. A run that Enter starts takes the run seed (`rseed`); without one,
        /// seed 0 stands for the page's fresh seed.
        fn key(&mut self, name: &str) -> Option<()> {
            let (map, key) = match name
                .split_once(':')
                .and_then(|(m, k)| Some((Map::parse(m)?, k)))
            {
                Some(mk) => mk,
                None => (self.selection().map_or(Map::Xavier, |s| s.0), name),
            };
            self.focus(map);
            self.key(map, key, 0).ok().map(|_| ())
        }
        /// `play`: the Play / Pause button.
        fn press(&mut self, name: &str) -> Option<()> {
            (name == "play").then(|| {
                self.toggle_play();
            })
        }
    }

    /// The Fig. 4 sweep as the page runs it, its jobs handed out in the page's order and run
    /// here one after the other (times are nominal: 10 ms a job).
    fn run_fig4_sweep(m: &mut Fig4Model) -> Result<(), String> {
        let Some(plan) = m.start(2, 0.0).map_err(|r| r.message)? else {
            return Ok(());
        };
        let split = sweep_data().map_err(|e| e.to_string())?;
        let mut t = 0.0;
        while let Some(p) = m.next_job() {
            let r = run_job(&split, p.job, plan.steps, plan.lr).map_err(|e| e.to_string())?;
            t += 10.0;
            m.job_done(p.index, r, t).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Opens `link` in `model`, applies `actions` as the page does and returns the link's
    /// refusals and, per `--set`, its refusal or null.
    fn drive<M: Driven>(model: &mut M, link: &str, actions: &[Action]) -> Res<(Value, Value)> {
        let rejections = json!(open_link(model, link));
        model.settle();
        let mut refused = Vec::new();
        let name = model.view().name();
        let unsupported =
            |what: &str| Failure::Usage(format!("view: the {name} view has no {what}"));
        for a in actions {
            match a {
                Action::Set(k, v) => refused.push(match set(model, k, v) {
                    Ok(_) => Value::Null,
                    Err(r) => json!(r),
                }),
                Action::Frames(n) => {
                    for _ in 0..*n {
                        model
                            .frame()
                            .ok_or_else(|| unsupported("animation frames"))?;
                    }
                }
                Action::Step => model.step().ok_or_else(|| unsupported("Step button"))?,
                Action::Run => model
                    .run()
                    .ok_or_else(|| unsupported("Run button"))?
                    .map_err(Failure::Run)?,
                Action::Key(k) => model.key(k).ok_or_else(|| unsupported("keys"))?,
                Action::Press(b) => model
                    .press(b)
                    .ok_or_else(|| unsupported(&format!("button '{b}'")))?,
                Action::Group(entries) => {
                    let entries: Vec<(&str, &str)> = entries
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    refused.push(
                        model
                            .group(&entries)
                            .ok_or_else(|| unsupported("grouped fields"))?,
                    );
                }
            }
        }
        Ok((rejections, Value::Array(refused)))
    }

    fn view(args: &[String]) -> Res<Value> {
        let (link, actions) = view_actions(args)?;
        let view = parse_link(&link).view;
        let out = match view {
            View::Fig3 => {
                let mut m = Fig3Model::new();
                let (rejections, refused) = drive(&mut m, &link, &actions)?;
                json!({"readout": m.readout(), "link": link_state(&m), "rejections": rejections, "refused": refused})
            }
            View::Fig1b => {
                let mut m = Fig1bModel::new();
                let (rejections, refused) = drive(&mut m, &link, &actions)?;
                json!({"readout": m.readout(), "link": link_state(&m), "rejections": rejections, "refused": refused})
            }
            View::Topology => {
                let mut m = TopologyModel::new();
                let (rejections, refused) = drive(&mut m, &link, &actions)?;
                json!({"readout": m.readout(), "link": link_state(&m), "rejections": rejections, "refused": refused})
            }
            View::Fig4 => {
                let mut m = Fig4Model::new();
                let (rejections, refused) = drive(&mut m, &link, &actions)?;
                json!({"readout": m.readout(), "rows": m.rows(), "link": link_state(&m), "rejections": rejections, "refused": refused})
            }
            View::Lab => {
                let mut m = LabModel::new();
                let (rejections, refused) = drive(&mut m, &link, &actions)?;
                json!({"readout": m.readout(), "link": link_state(&m), "rejections": rejections, "refused": refused})
            }
            View::Tour => {
                let mut m = TourModel::new();
                let (rejections, refused) = drive(&mut m, &link, &actions)?;
                json!({"readout": m.readout(), "link": link_state(&m), "rejections": rejections, "refused": refused})
            }
            View::Heatmaps => {
                let mut m = HeatmapsModel::new().map_err(|e| Failure::Run(e.to_string()))?;
                let (rejections, refused) = drive(&mut m, &link, &actions)?;
                // The page computes the Monte Carlo check once the pointer rests.
                m.estimate().map_err(|e| Failure::Run(e.to_string()))?;
                json!({"readout": m.readout(), "link": link_state(&m), "rejections": rejections, "refused": refused})
            }
        };
        let mut out = out;
        if let Some(map) = out.as_object_mut() {
            map.insert("view".into(), json!(view.name()));
        }
        Ok(out)
    }

    fn topology(o: &Options) -> Res<Value> {
        let d: usize = o.number("d", None)?;
        let e: usize = o.number("e", None)?;
        let c: Vec<f64> = o.list("c")?;
        Ok(json!({
            "betti": betti_numbers(d, e, &c)?
                .into_iter()
                .map(relu_obstruction::core::inspect::Count::Exact)
                .collect::<Vec<_>>(),
            "components": relu_obstruction::core::inspect::Count::Exact(connected_components(d, e, &c)?),
            "effective_components": effective_components(d, e, &c)?,
            "pathological": pathological_neurons(e, &c),
        }))
    }

    fn probability(o: &Options) -> Res<Value> {
        let scheme = InitScheme::parse(o.required("init")?)?;
        let d: usize = o.number("d", None)?;
        let l: usize = o.number("l", None)?;
        let e: usize = o.number("e", Some(1))?;
        let mc: Option<u64> = o.get("mc").map(|_| o.number("mc", None)).transpose()?;
        if o.get("seed").is_some() && mc.is_none() {
            return Err(Failure::Usage("--seed only makes sense with --mc".into()));
        }
        let seed: u64 = o.number("seed", Some(0))?;
        let estimate: Option<Estimate> = mc
            .map(|n| monte_carlo_p(scheme, d, l, e, n, seed))
            .transpose()?;
        let odds = if scheme.is_normal() {
            obstruction_odds(scheme, d, l, e)?
        } else {
            let est = estimate.ok_or_else(|| {
                Failure::Usage(format!(
                    "{} has no closed form: add --mc SAMPLES for a Monte Carlo estimate",
                    scheme.name()
                ))
            })?;
            odds_from_p(est.mean, d, l, e)
        };
        let mut v = serde_json::to_value(odds)?;
        if let (Some(est), Some(map)) = (estimate, v.as_object_mut()) {
            map.insert("p_mc".into(), json!(est.mean));
            map.insert("p_mc_stderr".into(), json!(est.stderr));
            map.insert("closed_form".into(), json!(scheme.is_normal()));
        }
        Ok(v)
    }

    fn train(o: &Options) -> Res<Value> {
        let preset = preset_option(o)?;
        let seed: u64 = o.number("seed", Some(0))?;
        let steps: u64 = o.number("steps", Some(500))?;
        if steps > 10_000_000 {
            return Err(Failure::Usage(format!(
                "--steps {steps} is out of range: at most 10000000"
            )));
        }
        let ex = preset.build(seed)?;
        let lr: f64 = o.number("lr", Some(ex.lr))?;
        let integrator = match o.get("integrator") {
            Some(s) => Integrator::parse(s)?,
            None => ex.integrator,
        };
        let e = ex.net.arch().e;
        let d_eff = ex.net.arch().input_dim();
        let theta_initial = ex.net.params().to_vec();
        let mut trainer = Trainer::new(ex.net, &ex.train, lr, integrator)?;
        let (reports, failure) = trainer.run(steps);
        let c_initial = trainer.c_initial().to_vec();
        let net = trainer.network();
        let final_loss = trainer.current_loss();
        let mut out = json!({
            "preset": preset.name(),
            "seed": seed,
            "lr": lr,
            "integrator": integrator.name(),
            "steps": reports.len(),
            "loss": reports.iter().map(|r| r.loss).collect::<Vec<_>>(),
            "final_loss": final_loss,
            "c_initial": c_initial,
            "c_final": trainer.c_now(),
            "max_c_drift": trainer.max_c_drift_seen(),
            "components": relu_obstruction::core::inspect::Count::Exact(connected_components(d_eff, e, &c_initial)?),
            "effective_components": effective_components(d_eff, e, &c_initial)?,
            "component_label": component_label(&net, &c_initial),
            "sheet_jumps": trainer.sheet_jumps(),
            "flow_forced_substeps": trainer.forced_substeps(),
            "theta_initial": theta_initial,
            "theta_final": trainer.params(),
        });
        let map = out.as_object_mut().ok_or("internal: not an object")?;
        if let Some((pos, neg)) = ex.need {
            let verdict = obstruction_verdict(
                e,
                &c_initial,
                &pathological_signs(&net, &c_initial),
                pos,
                neg,
            )?;
            map.insert("verdict".into(), serde_json::to_value(verdict)?);
        }
        if let Some(test) = &ex.test {
            let arch = *trainer.arch();
            let batch = Batch::new(&arch, test)?;
            let mut scratch = Scratch::new(&arch, &batch);
            map.insert(
                "test_loss".into(),
                json!(loss(&arch, trainer.params(), &batch, &mut scratch)),
            );
        }
        if let Some(err) = failure {
            map.insert("error".into(), json!(err.to_string()));
            println!("{out}");
            return Err(Failure::Run(err.to_string()));
        }
        Ok(out)
    }

    /// Reads a file the user named, refusing it before reading when it is larger than `check` allows.
    fn read_user_file(
        flag: &str,
        path: &str,
        check: fn(u64) -> Result<(), relu_obstruction::core::error::InputError>,
    ) -> Res<Vec<u8>> {
        let meta = std::fs::metadata(path)
            .map_err(|e| Failure::Usage(format!("--{flag} {path}: cannot read it: {e}")))?;
        check(meta.len()).map_err(|e| Failure::Usage(format!("--{flag} {path}: {e}")))?;
        std::fs::read(path)
            .map_err(|e| Failure::Usage(format!("--{flag} {path}: cannot read it: {e}")))
    }

    /// `train --weights FILE --data FILE.csv …`: the lab's run on the command line.
    fn train_weights(o: &Options) -> Res<Value> {
        use relu_obstruction::core::optim::{Activation, Dynamics, LabTrainer, Optimizer};
        use relu_obstruction::core::{inspect, table, weights};
        if o.get("from").is_some() || o.get("preset").is_some() {
            return Err(Failure::Usage(
                "--weights takes the network from the file: no --preset or --from".into(),
            ));
        }
        let wpath = o.required("weights")?;
        let bytes = read_user_file("weights", wpath, weights::check_weights_size)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Failure::Usage(format!("--weights {wpath}: not UTF-8 text")))?;
        let net = weights::parse_weights(&text)
            .map_err(|e| Failure::Usage(format!("--weights {wpath}: {e}")))?;
        let dpath = o.required("data")?;
        let bytes = read_user_file("data", dpath, table::check_csv_size)?;
        let data =
            table::parse_csv(&bytes).map_err(|e| Failure::Usage(format!("--data {dpath}: {e}")))?;
        let steps: u64 = o.number("steps", None)?;
        if steps > 10_000_000 {
            return Err(Failure::Usage(format!(
                "--steps {steps} is out of range: at most 10000000"
            )));
        }
        let lr: f64 = o.number("lr", None)?;
        let optimizer = match o.get("optimizer").unwrap_or("gd") {
            "gd" => Optimizer::Gd,
            "sgd" => Optimizer::Sgd,
            "momentum" => Optimizer::Momentum {
                beta: o.number("momentum", Some(0.9))?,
            },
            "adam" => Optimizer::Adam {
                beta1: o.number("beta1", Some(0.9))?,
                beta2: o.number("beta2", Some(0.999))?,
                eps: o.number("eps", Some(1e-8))?,
            },
            other => {
                return Err(Failure::Usage(format!(
                    "--optimizer '{other}': one of gd, sgd, momentum, adam"
                )));
            }
        };
        for (flag, needs) in [
            ("momentum", "momentum"),
            ("beta1", "adam"),
            ("beta2", "adam"),
            ("eps", "adam"),
            ("batch", "sgd"),
        ] {
            if o.get(flag).is_some() && optimizer.name() != needs {
                return Err(Failure::Usage(format!(
                    "--{flag} only makes sense with --optimizer {needs}"
                )));
            }
        }
        let activation = Activation::parse(o.get("activation").unwrap_or("relu"))?;
        let integrator = Integrator::parse(o.get("integrator").unwrap_or("gd"))?;
        let batch = match optimizer {
            Optimizer::Sgd => Some(o.number::<usize>("batch", Some(32.min(data.n)))?),
            _ => None,
        };
        let dynamics = Dynamics {
            optimizer,
            integrator,
            activation,
            batch,
            weight_decay: o.number("weight-decay", Some(0.0))?,
            lr,
            seed: o.number("seed", Some(0))?,
        };
        let mut arch = *net.arch();
        arch.loss = match o.get("loss").unwrap_or("mse") {
            "mse" => relu_obstruction::core::network::Loss::HalfMse,
            "bce" => relu_obstruction::core::network::Loss::Bce,
            other => {
                return Err(Failure::Usage(format!("--loss '{other}': one of mse, bce")));
            }
        };
        let net =
            relu_obstruction::core::network::Network::from_params(arch, net.params().to_vec())?;
        let check = inspect::check(&net);
        let theta_initial = net.params().to_vec();
        let mut trainer = LabTrainer::new(net, std::sync::Arc::new(data), dynamics)?;
        let (reports, failure) = trainer.run(steps);
        let mut grad = vec![0.0; theta_initial.len()];
        let final_loss = trainer.full_loss_and_gradient(&mut grad);
        let final_net = trainer.network();
        let weights_final: Value = serde_json::from_str(&weights::weights_json(&final_net))?;
        let mut out = json!({
            "weights": wpath,
            "data": dpath,
            "optimizer": optimizer.name(),
            "activation": activation.name(),
            "integrator": integrator.name(),
            "batch": batch,
            "weight_decay": dynamics.weight_decay,
            "lr": lr,
            "seed": dynamics.seed,
            "steps": reports.len(),
            "loss": reports.iter().map(|r| r.loss).collect::<Vec<_>>(),
            "final_loss": final_loss,
            "c_initial": trainer.c_initial(),
            "c_final": trainer.c_now(),
            "max_c_drift": trainer.max_c_drift_seen(),
            "components": check.components,
            "effective_components": check.effective_components,
            "component_label": check.component_label,
            "pathological": check.pathological,
            "escapes": trainer
                .escapes()
                .iter()
                .map(|e| json!({"neuron": e.neuron + 1, "step": e.step}))
                .collect::<Vec<_>>(),
            "flow_forced_substeps": trainer.forced_substeps(),
            "theta_initial": theta_initial,
            "theta_final": trainer.params(),
            "weights_final": weights_final,
        });
        if let Some(err) = failure {
            if let Some(map) = out.as_object_mut() {
                map.insert("error".into(), json!(err.to_string()));
            }
            println!("{out}");
            return Err(Failure::Run(err.to_string()));
        }
        Ok(out)
    }

    /// Replays every run of an exported JSON file and checks that it ends where the export says.
    fn train_from(o: &Options) -> Res<Value> {
        if o.0.len() > 1 {
            return Err(Failure::Usage(
                "--from takes no other option: the file holds every setting".into(),
            ));
        }
        let path = o.required("from")?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("--from {path}: cannot read it: {e}")))?;
        let export = RunExport::from_json(&text)
            .map_err(|e| Failure::Usage(format!("--from {path}: {e}")))?;
        if export.runs.is_empty() {
            return Err(Failure::Usage(format!(
                "--from {path}: the file holds no run"
            )));
        }
        let mut runs = Vec::new();
        let mut mismatched = Vec::new();
        for rec in &export.runs {
            let fin = replay(&rec.settings)
                .map_err(|e| Failure::Usage(format!("--from {path}, run '{}': {e}", rec.name)))?;
            let reproduced = fin == rec.final_state;
            if !reproduced {
                mismatched.push(rec.name.clone());
            }
            runs.push(json!({
                "name": rec.name,
                "settings": rec.settings,
                "steps": fin.step,
                "final_loss": fin.loss,
                "c_final": fin.c,
                "theta_final": fin.theta,
                "exported_final_loss": rec.final_state.loss,
                "reproduced": reproduced,
            }));
        }
        let out = json!({
            "from": path,
            "format": export.format,
            "version": export.version,
            "view": export.view,
            "runs": runs,
        });
        if !mismatched.is_empty() {
            println!("{out}");
            return Err(Failure::Run(format!(
                "the replay of {} does not end where the export says",
                mismatched.join(", ")
            )));
        }
        Ok(out)
    }

    /// Writes every paper figure (SVG) and its data (CSV) into `--out DIR`.
    fn figures(args: &[String]) -> Res<Value> {
        let mut parser = lexopt::Parser::from_args(args.iter().cloned());
        let mut out: Option<String> = None;
        let mut quick = false;
        while let Some(arg) = parser.next()? {
            match arg {
                lexopt::Arg::Long("quick") if !quick => quick = true,
                lexopt::Arg::Long("out") if out.is_none() => {
                    out = Some(
                        parser
                            .value()?
                            .into_string()
                            .map_err(|_| "--out: not valid UTF-8".to_string())?,
                    );
                }
                lexopt::Arg::Long(name @ ("quick" | "out")) => {
                    return Err(Failure::Usage(format!("--{name} given twice")));
                }
                lexopt::Arg::Long(name) => {
                    return Err(Failure::Usage(format!("unknown option --{name}")));
                }
                other => return Err(other.unexpected().into()),
            }
        }
        let dir = std::path::PathBuf::from(out.ok_or("--out DIR is required")?);
        if dir.exists() && !dir.is_dir() {
            return Err(Failure::Usage(format!(
                "--out {}: exists and is not a directory",
                dir.display()
            )));
        }
        std::fs::create_dir_all(&dir).map_err(|e| {
            Failure::Usage(format!("--out {}: cannot create it: {e}", dir.display()))
        })?;
        // Fail before the sweep, not after, when the directory is not writable.
        let probe = dir.join(".obstruction-write-test");
        std::fs::write(&probe, b"")
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|e| {
                Failure::Usage(format!(
                    "--out {}: cannot write into it: {e}",
                    dir.display()
                ))
            })?;
        let cfg = if quick {
            PaperFigures::quick()
        } else {
            PaperFigures::paper()
        };
        let files = paper_figures(&cfg).map_err(|e| Failure::Run(e.to_string()))?;
        let mut written = Vec::new();
        for f in &files {
            let path = dir.join(&f.name);
            std::fs::write(&path, &f.text)
                .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
            written.push(json!({ "file": path.display().to_string(), "bytes": f.text.len() }));
        }
        Ok(json!({
            "out": dir.display().to_string(),
            "quick": quick,
            "sweep": cfg.sweep,
            "fig3_steps": cfg.fig3_steps,
            "written": written,
        }))
    }

    /// The preset named by `--preset` (with `--l`, `--l-plus` for `fig4`).
    fn preset_option(o: &Options) -> Res<Preset> {
        let mut preset = Preset::parse(o.required("preset")?)?;
        if let Preset::Fig4 { l, l_plus } = &mut preset {
            *l = o.number("l", Some(FIG4_DEFAULT_L))?;
            *l_plus = o.number("l-plus", Some(FIG4_DEFAULT_L_PLUS.min(*l)))?;
        } else if o.get("l").is_some() || o.get("l-plus").is_some() {
            return Err(Failure::Usage(
                "--l and --l-plus apply to the fig4 preset only".into(),
            ));
        }
        Ok(preset)
    }

    /// A data set as `{n, d, e, x, y}` (sample-major, as in [`Dataset`]).
    fn dataset_json(data: &Dataset) -> Value {
        json!({ "n": data.n, "d": data.d, "e": data.e, "x": data.x, "y": data.y })
    }

    /// Everything another program needs to run exactly the same gradient descent as `train`:
    /// the architecture, the learning rate, the data and θ at the start (the peer benchmarks of
    /// bench/peers read it).
    fn export(o: &Options) -> Res<Value> {
        let preset = preset_option(o)?;
        let seed: u64 = o.number("seed", Some(0))?;
        let ex = preset.build(seed)?;
        Ok(json!({
            "preset": preset.name(),
            "seed": seed,
            "arch": ex.net.arch(),
            "lr": ex.lr,
            "layout": "theta = [W (l x input_dim, row k = w_k), V (l x e), output bias (e, if enabled)]",
            "theta_initial": ex.net.params(),
            "train": dataset_json(&ex.train),
            "test": ex.test.as_ref().map(dataset_json),
        }))
    }

    /// The Fig. 4 sweep's jobs with their initial θ, and the breast cancer split they all use.
    fn export_sweep(o: &Options) -> Res<Value> {
        let cfg = SweepConfig {
            widths: o.list("widths")?,
            seeds: o.number("seeds", None)?,
            steps: 1,
            lr: relu_obstruction::experiments::presets::FIG4_LR,
        };
        cfg.validate()?;
        let split = sweep_data()?;
        let jobs = cfg
            .jobs()
            .into_iter()
            .map(|job| {
                let ex = fig4_on(&split.train, &split.test, job.l, job.l_plus, job.seed)?;
                Ok(json!({ "l": job.l, "l_plus": job.l_plus, "seed": job.seed,
                           "theta_initial": ex.net.params() }))
            })
            .collect::<Res<Vec<Value>>>()?;
        Ok(json!({
            "widths": cfg.widths,
            "seeds": cfg.seeds,
            "jobs": jobs,
            "train": dataset_json(&split.train),
            "test": dataset_json(&split.test),
        }))
    }

    fn sweep(o: &Options) -> Res<Value> {
        let cfg = SweepConfig {
            widths: o.list("widths")?,
            seeds: o.number("seeds", None)?,
            steps: o.number("steps", None)?,
            lr: o.number("lr", Some(relu_obstruction::experiments::presets::FIG4_LR))?,
        };
        let rows = run_sweep(&cfg)?;
        Ok(
            json!({ "widths": cfg.widths, "seeds": cfg.seeds, "steps": cfg.steps, "lr": cfg.lr, "rows": rows }),
        )
    }

    /// Steps per second of `preset` with plain GD: the median and the best of `rounds` timed
    /// windows of about `seconds / rounds` each (the best is the least disturbed by other load).
    fn steps_per_second(preset: Preset, seconds: f64, rounds: u32) -> Res<(f64, f64, u64)> {
        let ex = preset.build(0)?;
        // A tiny learning rate keeps the run finite for as long as the benchmark lasts.
        let mut trainer = Trainer::new(ex.net, &ex.train, 1e-6, Integrator::Gd)?;
        let window = seconds / f64::from(rounds);
        // Calibrate a batch that takes about a tenth of a window.
        let mut batch = 16u64;
        loop {
            let t = Instant::now();
            for _ in 0..batch {
                trainer.step().map_err(|e| Failure::Run(e.to_string()))?;
            }
            if t.elapsed().as_secs_f64() >= window / 10.0 {
                break;
            }
            batch *= 2;
        }
        let mut rates = Vec::new();
        let mut total = 0u64;
        for _ in 0..rounds {
            let start = Instant::now();
            let mut steps = 0u64;
            while start.elapsed().as_secs_f64() < window {
                for _ in 0..batch {
                    trainer.step().map_err(|e| Failure::Run(e.to_string()))?;
                }
                steps += batch;
            }
            rates.push(steps as f64 / start.elapsed().as_secs_f64());
            total += steps;
        }
        rates.sort_by(f64::total_cmp);
        Ok((rates[rates.len() / 2], rates[rates.len() - 1], total))
    }

    fn bench(o: &Options) -> Res<Value> {
        let seconds: f64 = o.number("seconds", Some(2.0))?;
        if !(seconds > 0.0 && seconds <= 600.0) {
            return Err(Failure::Usage("--seconds must be between 0 and 600".into()));
        }
        let rounds = 5;
        let (fig3, fig3_best, n3) = steps_per_second(Preset::Fig3GoodPM, seconds, rounds)?;
        let (fig4, fig4_best, n4) = steps_per_second(Preset::parse("fig4")?, seconds, rounds)?;
        Ok(json!({
            "fig3_good_pm_steps_per_s": fig3,
            "fig3_good_pm_steps_per_s_best": fig3_best,
            "fig3_good_pm_steps": n3,
            "fig4_l16_steps_per_s": fig4,
            "fig4_l16_steps_per_s_best": fig4_best,
            "fig4_l16_steps": n4,
            "rounds": rounds,
            "threads": 1,
            "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        }))
    }
}
