//! The guided tour driven as the page drives it: every step's link opens its view without a
//! message, Previous and Next stop at the ends, the tour's own link round-trips, a step out of
//! range is refused with the step in force kept, and the view-independent `embed` key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::app::fig1b::Fig1bModel;
use relu_obstruction::app::fig3::Fig3Model;
use relu_obstruction::app::link::{FORMAT_VERSION, View, parse_link, schema};
use relu_obstruction::app::topology::TopologyModel;
use relu_obstruction::app::tour::{STEPS, TourModel};
use relu_obstruction::app::view::{link_state, open_link, set};

#[test]
fn every_steps_link_parses_without_a_rejection_and_names_the_steps_view() {
    assert!((8..=12).contains(&STEPS.len()));
    for (i, step) in STEPS.iter().enumerate() {
        let parsed = parse_link(step.link);
        assert!(
            parsed.rejections.is_empty(),
            "step {}: {:?}",
            i + 1,
            parsed.rejections
        );
        assert_eq!(parsed.view, step.view, "step {}", i + 1);
        assert_eq!(parsed.version, FORMAT_VERSION, "step {}", i + 1);
        // Every key the link gives is a key of that view's schema and was taken.
        let keys: Vec<&str> = schema(step.view).iter().map(|p| p.key).collect();
        let given = step.link.split('?').nth(1).unwrap().split('&').count() - 1;
        assert_eq!(parsed.given.len(), given, "step {}", i + 1);
        assert!(parsed.given.iter().all(|k| keys.contains(k)));
        assert!(step.autoplay <= matches!(step.view, View::Fig3 | View::Fig1b));
    }
    // The story's order: a neuron first, Fig. 4 last, Fig. 3 playing to t*.
    assert_eq!(STEPS[0].view, View::Fig1b);
    assert_eq!(STEPS[STEPS.len() - 1].view, View::Fig4);
    let fig3 = STEPS.iter().find(|s| s.view == View::Fig3).unwrap();
    assert!(fig3.autoplay);
    assert!(fig3.link.contains("&pause=1"));
}

#[test]
fn the_view_models_open_the_steps_links_as_they_say() {
    for step in STEPS {
        let refused = match step.view {
            View::Fig1b => open_link(&mut Fig1bModel::new(), step.link),
            View::Fig3 => open_link(&mut Fig3Model::new(), step.link),
            View::Topology => open_link(&mut TopologyModel::new(), step.link),
            _ => Vec::new(),
        };
        assert!(refused.is_empty(), "{}: {refused:?}", step.title);
    }
    // The rescaling step keeps the product w·v of the first step (the same function).
    let (a, b) = (parse_link(STEPS[0].link), parse_link(STEPS[1].link));
    let prod = |p: &relu_obstruction::app::link::ParsedLink| {
        let f = |k| match p.values.get(k) {
            Some(relu_obstruction::app::link::Value::Float(x)) => *x,
            _ => f64::NAN,
        };
        f("w0") * f("v0")
    };
    assert!((prod(&a) - prod(&b)).abs() < 1e-12);
}

#[test]
fn next_and_prev_clamp_at_the_ends() {
    let mut m = TourModel::new();
    let count = STEPS.len() as u64;
    assert_eq!((m.readout().index, m.readout().count), (1, count));
    assert!(!m.prev_step());
    assert_eq!(m.index(), 1);
    for i in 2..=count {
        assert!(m.next_step());
        assert_eq!(m.index(), i);
        assert_eq!(m.readout().step.title, STEPS[(i - 1) as usize].title);
    }
    assert!(!m.next_step());
    assert_eq!(m.index(), count);
    assert_eq!(m.readout().position, format!("{count} of {count}"));
    assert!(m.prev_step());
    assert_eq!(m.index(), count - 1);
}

#[test]
fn the_tour_link_round_trips() {
    let mut m = TourModel::new();
    assert!(open_link(&mut m, "#tour?v=1&step=3").is_empty());
    assert_eq!(m.index(), 3);
    assert_eq!(m.readout().step.link, STEPS[2].link);
    let link = link_state(&m).link;
    assert_eq!(link, "#tour?v=1&step=3");
    m.next_step();
    assert_eq!(link_state(&m).link, "#tour?v=1&step=4");
    let mut other = TourModel::new();
    assert!(open_link(&mut other, &link_state(&m).link).is_empty());
    assert_eq!(other.index(), 4);
    // A bare #tour is the first step.
    assert!(open_link(&mut other, "#tour").is_empty());
    assert_eq!(other.index(), 1);
}

#[test]
fn a_step_out_of_range_is_refused_and_the_previous_stays() {
    let mut m = TourModel::new();
    assert!(open_link(&mut m, "#tour?v=1&step=5").is_empty());
    let over = (STEPS.len() + 1).to_string();
    for (bad, code) in [
        ("0", "out_of_range"),
        (over.as_str(), "out_of_range"),
        ("2.5", "not_whole"),
        ("-1", "out_of_range"),
    ] {
        let r = set(&mut m, "step", bad).unwrap_err();
        assert_eq!((r.key.as_str(), r.reason.code()), ("step", code), "{bad}");
        assert!(r.message.contains("5 is still in use"), "{}", r.message);
        assert_eq!(m.index(), 5, "{bad}");
        assert_eq!(link_state(&m).link, "#tour?v=1&step=5");
    }
    assert!(set(&mut m, "step", "7").unwrap().changed);
    assert_eq!(m.index(), 7);
    // A link with a refused step names it, as every view's link does (and opens at step 1).
    for bad in ["0", over.as_str(), "2.5"] {
        let refused = open_link(&mut m, &format!("#tour?v=1&step={bad}"));
        assert_eq!(refused.len(), 1, "{bad}: {refused:?}");
        assert_eq!(refused[0].key, "step");
        assert_eq!(m.index(), 1);
    }
}

#[test]
fn embed_is_accepted_on_every_views_link_and_written_by_none() {
    for view in View::ALL {
        let on = parse_link(&format!("#{}?v=1&embed=1", view.name()));
        assert!(on.rejections.is_empty(), "{view:?}: {:?}", on.rejections);
        assert!(on.embed);
        assert!(!on.to_link().contains("embed"));
        let off = parse_link(&format!("#{}?v=1&embed=0", view.name()));
        assert!(off.rejections.is_empty() && !off.embed);
        assert!(!parse_link(&format!("#{}?v=1", view.name())).embed);
    }
    for bad in ["embed=2", "embed=", "embed", "embed=yes"] {
        let p = parse_link(&format!("#fig3?v=1&{bad}"));
        assert_eq!(p.rejections.len(), 1, "{bad}");
        assert_eq!(p.rejections[0].key, "embed");
        assert!(!p.embed);
    }
    // It never disturbs the view's own keys.
    let p = parse_link("#topology?v=1&embed=1&c=-1");
    assert!(p.rejections.is_empty() && p.embed);
    assert_eq!(p.given, vec!["c"]);
    let mut m = Fig3Model::new();
    assert!(open_link(&mut m, "#fig3?v=1&embed=1&step=3").is_empty());
    assert_eq!(m.step_reached(), 3);
    assert!(!link_state(&m).link.contains("embed"));
}
