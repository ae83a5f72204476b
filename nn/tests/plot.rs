//! Every plot kind is rendered to a real file, decoded back and checked: its
//! size, that it is not blank, that the expected colours are in it and that
//! text was drawn (the embedded font works without any system font).
//!
//! Set `NN_PLOT_KEEP=DIR` to write the pictures into DIR for a look.
#![cfg(feature = "plot")]

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use image::RgbImage;
use nn::plot::{
    contour, digit_grid, gif_heatmaps, heatmap, heatmap_grid, heatmap_rows, line_chart,
    scatter_with_curves, surface3d, BoundaryLine, ChartOptions, Color, ContourOptions,
    DigitGridOptions, HeatmapOptions, Key, Legend, Levels, Marker, Panel, Series, SurfaceOptions,
};
use nn::Error;

/// Where a test writes `name`: `NN_PLOT_KEEP` if set, else one
/// directory under the system temp dir (overwritten on every run).
fn out(name: &str) -> PathBuf {
    let dir = match std::env::var_os("NN_PLOT_KEEP") {
        Some(d) => PathBuf::from(d),
        None => std::env::temp_dir().join("xiaolan-plot-tests"),
    };
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn load(path: &PathBuf) -> RgbImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

fn distinct_colors(img: &RgbImage) -> usize {
    img.pixels().map(|p| p.0).collect::<HashSet<_>>().len()
}

fn count(img: &RgbImage, pred: impl Fn([u8; 3]) -> bool) -> usize {
    img.pixels().filter(|p| pred(p.0)).count()
}

fn near(c: Color, tolerance: i32) -> impl Fn([u8; 3]) -> bool {
    move |p| {
        (i32::from(p[0]) - i32::from(c.r)).abs() <= tolerance
            && (i32::from(p[1]) - i32::from(c.g)).abs() <= tolerance
            && (i32::from(p[2]) - i32::from(c.b)).abs() <= tolerance
    }
}

fn dark(p: [u8; 3]) -> bool {
    p.iter().all(|&c| c < 90)
}

/// Dark (text) pixels in the horizontal band `rows` of the picture.
fn dark_in_rows(img: &RgbImage, rows: std::ops::Range<u32>) -> usize {
    rows.flat_map(|y| (0..img.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| dark(img.get_pixel(x, y).0))
        .count()
}

fn assert_not_blank(img: &RgbImage, min_colors: usize) {
    let n = distinct_colors(img);
    assert!(n >= min_colors, "only {n} distinct colours");
}

#[test]
fn line_chart_draws_curves_legend_and_labels() {
    let path = out("loss.png");
    let train: Vec<f64> = (0..30)
        .map(|e| 0.9 * (-(e as f64) / 8.0).exp() + 0.05)
        .collect();
    let test: Vec<f64> = (0..30)
        .map(|e| 0.95 * (-(e as f64) / 9.0).exp() + 0.09)
        .collect();
    line_chart(
        &path,
        "Loss per epoch",
        "epoch",
        "mean squared error",
        &[
            Series::per_epoch("train", &train).color(Color::BLUE),
            Series::per_epoch("test", &test)
                .color(Color::ORANGE)
                .dashed(),
        ],
        &ChartOptions::default(),
    )
    .unwrap();
    let img = load(&path);
    assert_eq!(img.dimensions(), (800, 600));
    assert_not_blank(&img, 20);
    assert!(
        count(&img, near(Color::BLUE, 0)) > 300,
        "the train curve is missing"
    );
    assert!(
        count(&img, near(Color::ORANGE, 0)) > 150,
        "the test curve is missing"
    );
    assert!(dark_in_rows(&img, 0..40) > 100, "no title text");
    assert!(dark_in_rows(&img, 560..600) > 50, "no x axis label");
}

#[test]
fn line_chart_on_a_log_axis_skips_non_positive_and_non_finite_points() {
    let path = out("grad-norms.png");
    let layer1: Vec<f64> = (0..40).map(|e| 10f64.powf(-0.1 * e as f64)).collect();
    let mut layer2: Vec<f64> = (0..40)
        .map(|e| 10f64.powf(-2.0 - 0.05 * e as f64))
        .collect();
    layer2[10] = 0.0; // a dead layer for one epoch
    layer2[20] = f64::NAN;
    let options = ChartOptions {
        log_y: true,
        legend: Legend::LowerLeft,
        ..ChartOptions::default()
    };
    line_chart(
        &path,
        "Gradient norm per layer",
        "epoch",
        "|grad|",
        &[
            Series::per_epoch("layer 1", &layer1),
            Series::per_epoch("layer 2", &layer2),
        ],
        &options,
    )
    .unwrap();
    let img = load(&path);
    assert_not_blank(&img, 20);
    assert!(count(&img, near(Color::palette(0), 0)) > 200);
    assert!(count(&img, near(Color::palette(1), 0)) > 200);

    let e = line_chart(
        &path,
        "t",
        "x",
        "y",
        &[Series::per_epoch("zero", &[0.0, -1.0])],
        &options,
    )
    .unwrap_err();
    assert!(e.to_string().contains("y > 0"), "{e}");
}

#[test]
fn line_chart_shows_descent_steps_on_a_parabola() {
    let path = out("parabola-steps.png");
    let mut w = 2.8;
    let mut steps = vec![(w, w * w)];
    for _ in 0..8 {
        w -= 0.2 * 2.0 * w;
        steps.push((w, w * w));
    }
    line_chart(
        &path,
        "e = w², learning rate 0.2",
        "w",
        "e",
        &[
            Series::from_fn("e(w)", (-3.0, 3.0), 121, |w| w * w).color(Color::GREY),
            Series::path("steps", steps)
                .color(Color::RED)
                .marker(Marker::Diamond),
        ],
        &ChartOptions {
            legend: Legend::UpperLeft,
            size: (640, 480),
            ..ChartOptions::default()
        },
    )
    .unwrap();
    let img = load(&path);
    assert_eq!(img.dimensions(), (640, 480));
    assert!(
        count(&img, near(Color::RED, 0)) > 200,
        "the steps are missing"
    );
}

#[test]
fn scatter_with_curves_draws_beans_and_s_curves() {
    let path = out("beans.png");
    let beans: Vec<(f64, f64)> = (0..40)
        .map(|i| {
            let x = i as f64 / 40.0;
            (x, if (0.3..0.7).contains(&x) { 1.0 } else { 0.0 })
        })
        .collect();
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    scatter_with_curves(
        &path,
        "Two neurons make a hill",
        "bean size",
        "toxicity",
        &beans,
        &[
            Series::from_fn("neuron 1", (0.0, 1.0), 200, |x| sigmoid(40.0 * (x - 0.3)))
                .color(Color::BLUE),
            Series::from_fn("neuron 2", (0.0, 1.0), 200, |x| -sigmoid(40.0 * (x - 0.7)))
                .color(Color::RED),
            Series::from_fn("sum", (0.0, 1.0), 200, |x| {
                sigmoid(40.0 * (x - 0.3)) - sigmoid(40.0 * (x - 0.7))
            })
            .color(Color::GREEN)
            .width(3),
        ],
        &ChartOptions::default(),
    )
    .unwrap();
    let img = load(&path);
    for c in [Color::BLUE, Color::RED, Color::GREEN, Color::hex(0x555555)] {
        assert!(count(&img, near(c, 0)) > 100, "{c:?} is missing");
    }
}

#[test]
fn surface3d_draws_a_coloured_surface_with_a_path() {
    let path = out("cost-surface.png");
    let e = |w: f64, b: f64| (w - 1.0).powi(2) + 2.0 * (b + 0.5).powi(2);
    let mut p = (-2.5, 1.8);
    let mut steps = vec![p];
    for _ in 0..12 {
        p = (p.0 - 0.1 * 2.0 * (p.0 - 1.0), p.1 - 0.1 * 4.0 * (p.1 + 0.5));
        steps.push(p);
    }
    let options = SurfaceOptions {
        x_label: "w".into(),
        y_label: "b".into(),
        z_label: "e".into(),
        ..SurfaceOptions::default()
    };
    surface3d(
        &path,
        "Cost e(w, b)",
        e,
        (-3.0, 3.0),
        (-2.0, 2.0),
        &steps,
        &options,
    )
    .unwrap();
    let img = load(&path);
    assert_eq!(img.dimensions(), (800, 700));
    assert_not_blank(&img, 200);
    assert!(
        count(&img, near(Color::RED, 0)) > 100,
        "the descent path is missing"
    );
    assert!(dark_in_rows(&img, 0..45) > 100, "no title text");
}

#[test]
fn contour_draws_bands_lines_path_and_colorbar() {
    let path = out("cost-contour.png");
    let e = |w: f64, b: f64| (w - 1.0).powi(2) + 2.0 * (b + 0.5).powi(2);
    let steps: Vec<(f64, f64)> = (0..10)
        .scan((-2.5, 1.8), |p, _| {
            let q = *p;
            *p = (
                p.0 - 0.15 * 2.0 * (p.0 - 1.0),
                p.1 - 0.15 * 4.0 * (p.1 + 0.5),
            );
            Some(q)
        })
        .collect();
    let options = ContourOptions {
        x_label: "w".into(),
        y_label: "b".into(),
        ..ContourOptions::default()
    };
    contour(
        &path,
        "Cost e(w, b)",
        e,
        (-3.0, 3.0),
        (-2.0, 2.0),
        &steps,
        &options,
    )
    .unwrap();
    let img = load(&path);
    assert_eq!(img.dimensions(), (800, 640));
    assert_not_blank(&img, 30);
    assert!(
        count(&img, near(Color::RED, 0)) > 100,
        "the descent path is missing"
    );

    let lines_only = out("cost-contour-lines.png");
    let options = ContourOptions {
        filled: false,
        colorbar: false,
        levels: Levels::Values(vec![0.5, 1.0, 2.0, 4.0, 8.0]),
        ..options
    };
    contour(
        &lines_only,
        "Cost e(w, b)",
        e,
        (-3.0, 3.0),
        (-2.0, 2.0),
        &[],
        &options,
    )
    .unwrap();
    let img = load(&lines_only);
    // Mostly white: only lines were drawn.
    let white = count(&img, |p| p == [255, 255, 255]);
    assert!(
        white * 10 > img.width() as usize * img.height() as usize * 8,
        "{white} white pixels"
    );
}

/// A labelled point (x, y, label).
type Point = (f64, f64, f64);

/// Two rings, inner +1 and outer −1: 90 training and 30 test points.
fn circle_data() -> (Vec<Point>, Vec<Point>) {
    let mut points = Vec::new();
    for k in 0..120 {
        let a = k as f64 * 2.399;
        let r = if k % 2 == 0 {
            1.0 + (k % 7) as f64 * 0.2
        } else {
            3.6 + (k % 5) as f64 * 0.3
        };
        let label = if r < 2.5 { 1.0 } else { -1.0 };
        points.push((r * a.sin(), r * a.cos(), label));
    }
    let test = points.split_off(90);
    (points, test)
}

#[test]
fn heatmap_has_the_playground_colours_points_and_lines() {
    let path = out("heatmap.png");
    let (train, test) = circle_data();
    let net = |x: f64, y: f64| (2.5 - (x * x + y * y).sqrt()).tanh();
    let panel = Panel::new("Test accuracy 97.5%", net)
        .train(&train)
        .test(&test)
        .line(BoundaryLine::new(1.0, 0.5, -1.0).color(Color::RED));
    let start = Instant::now();
    heatmap(&path, &panel, &HeatmapOptions::default()).unwrap();
    let elapsed = start.elapsed();
    eprintln!("100×100 heatmap with 120 points rendered in {elapsed:?}");
    let img = load(&path);
    assert_eq!(img.dimensions(), (520, 560));
    let orange = count(&img, near(Color::PLAYGROUND_ORANGE, 12));
    let blue = count(&img, near(Color::PLAYGROUND_BLUE, 12));
    assert!(
        orange > 20_000 && blue > 2_000,
        "orange {orange}, blue {blue}"
    );
    assert!(
        count(&img, near(Color::RED, 0)) > 100,
        "the neuron's line is missing"
    );
    assert!(
        count(&img, |p| p == [255, 255, 255]) > 200,
        "train outlines are missing"
    );
    assert!(dark_in_rows(&img, 0..30) > 50, "no title text");
    // Generous: the tests run unoptimised; release is far faster.
    assert!(
        elapsed.as_secs_f64() < 5.0,
        "a 100×100 heatmap took {elapsed:?}"
    );
}

#[test]
fn heatmap_for_sigmoid_outputs_uses_the_given_range() {
    let path = out("heatmap-sigmoid.png");
    let train = [(2.0, 2.0, 1.0), (-2.0, -2.0, 0.0)];
    let panel = Panel::new("sigmoid", |x, y| 1.0 / (1.0 + (-(x + y)).exp())).train(&train);
    heatmap(&path, &panel, &HeatmapOptions::sigmoid()).unwrap();
    let img = load(&path);
    assert!(count(&img, near(Color::PLAYGROUND_ORANGE, 12)) > 5_000);
    assert!(count(&img, near(Color::PLAYGROUND_BLUE, 12)) > 5_000);
}

#[test]
fn heatmap_grid_and_rows_lay_panels_out() {
    let (train, _) = circle_data();
    let panels: Vec<Panel> = (0..5)
        .map(|k| {
            let a = k as f64 * 0.6;
            Panel::from_fn(
                format!("neuron {k}"),
                (-6.0, 6.0),
                (-6.0, 6.0),
                40,
                move |x, y| (a.cos() * x + a.sin() * y).tanh(),
            )
            .train(&train)
        })
        .collect();
    let options = HeatmapOptions {
        size: (200, 220),
        axes: false,
        point_radius: 2,
        ..HeatmapOptions::default()
    };
    // The key (the two classes, the boundary, the training points) is one
    // strip under the panels; without it the picture is the panels alone.
    let bare = HeatmapOptions {
        key: Key::None,
        ..options.clone()
    };
    let grid = out("heatmap-grid-bare.png");
    heatmap_grid(&grid, &panels, 3, &bare).unwrap();
    assert_eq!(load(&grid).dimensions(), (600, 440));
    let grid = out("heatmap-grid.png");
    heatmap_grid(&grid, &panels, 3, &options).unwrap();
    let img = load(&grid);
    assert_eq!(img.dimensions(), (600, 440 + KEY_STRIP));
    assert!(dark_in_rows(&img, 440..440 + KEY_STRIP) > 50, "no key text");
    assert!(
        (440..440 + KEY_STRIP)
            .flat_map(|y| (0..600).map(move |x| (x, y)))
            .any(|(x, y)| near(Color::PLAYGROUND_ORANGE, 0)(img.get_pixel(x, y).0)),
        "no orange swatch in the key"
    );
    // The sixth cell of the 3 × 2 grid is empty: white.
    let empty = (400..600).flat_map(|x| (220..440).map(move |y| (x, y)));
    assert!(empty
        .clone()
        .all(|(x, y)| img.get_pixel(x, y).0 == [255, 255, 255]));

    let rows = out("heatmap-rows.png");
    heatmap_rows(&rows, &[&panels[..4], &panels[4..]], &options).unwrap();
    let img = load(&rows);
    assert_eq!(img.dimensions(), (800, 440 + KEY_STRIP));
    assert!(count(&img, near(Color::PLAYGROUND_BLUE, 12)) > 10_000);
    // The single panel of the second row is centred: the left quarter is white.
    assert!((0..150).all(|x| img.get_pixel(x, 330).0 == [255, 255, 255]));
}

/// The height of a key of one line (swatches and markers) with its padding.
const KEY_STRIP: u32 = 30;

#[test]
fn heatmap_refuses_values_of_the_wrong_length() {
    let panel = Panel::from_values("bad", (-6.0, 6.0), (-6.0, 6.0), 10, vec![0.0; 50]);
    let e = heatmap(out("bad.png"), &panel, &HeatmapOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Mismatch { .. }), "{e}");
    assert!(e.to_string().contains("100 values"), "{e}");
}

/// Frames and their delays (hundredths of a second) by walking the GIF's blocks.
fn gif_frames(bytes: &[u8]) -> (u16, u16, Vec<u16>) {
    assert_eq!(&bytes[..6], b"GIF89a");
    let width = u16::from_le_bytes([bytes[6], bytes[7]]);
    let height = u16::from_le_bytes([bytes[8], bytes[9]]);
    let flags = bytes[10];
    let mut i = 13;
    if flags & 0x80 != 0 {
        i += 3 << ((flags & 7) + 1);
    }
    let skip_sub_blocks = |mut i: usize| {
        while bytes[i] != 0 {
            i += bytes[i] as usize + 1;
        }
        i + 1
    };
    let (mut delays, mut pending_delay) = (Vec::new(), 0);
    loop {
        match bytes[i] {
            0x21 => {
                if bytes[i + 1] == 0xf9 {
                    pending_delay = u16::from_le_bytes([bytes[i + 4], bytes[i + 5]]);
                }
                i = skip_sub_blocks(i + 2);
            }
            0x2c => {
                let local = bytes[i + 9];
                i += 10;
                if local & 0x80 != 0 {
                    i += 3 << ((local & 7) + 1);
                }
                i = skip_sub_blocks(i + 1);
                delays.push(pending_delay);
            }
            0x3b => return (width, height, delays),
            b => panic!("unexpected GIF block 0x{b:02x} at {i}"),
        }
    }
}

#[test]
fn gif_heatmaps_writes_one_frame_per_panel() {
    let path = out("training.gif");
    let (train, _) = circle_data();
    let frames: Vec<Panel> = (0..4)
        .map(|t| {
            let s = (t + 1) as f64 / 4.0;
            Panel::from_fn(
                format!("epoch {}", t * 10),
                (-6.0, 6.0),
                (-6.0, 6.0),
                50,
                move |x, y| (s * (2.5 - (x * x + y * y).sqrt())).tanh(),
            )
            .train(&train)
        })
        .collect();
    let options = HeatmapOptions {
        size: (240, 260),
        ..HeatmapOptions::default()
    };
    gif_heatmaps(&path, &frames, 250, &options).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let (w, h, delays) = gif_frames(&bytes);
    assert_eq!((w, h), (240, 260));
    assert_eq!(delays, vec![25; 4]);

    let e = gif_heatmaps(out("training.png"), &frames, 250, &options).unwrap_err();
    assert!(e.to_string().contains(".gif"), "{e}");
}

#[test]
fn digit_grid_draws_images_and_captions() {
    let path = out("digits.png");
    // A 28 × 28 "7" and "1", and an 8 × 8 set below.
    let seven: Vec<f64> = (0..784)
        .map(|i| {
            let (r, c) = (i / 28, i % 28);
            let top = (5..8).contains(&r) && (6..22).contains(&c);
            let stem = (8..24).contains(&r) && (c as i64 - (21 - (r as i64 - 8) / 2)).abs() <= 1;
            if top || stem {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let one: Vec<f64> = (0..784)
        .map(|i| {
            if (13..16).contains(&(i % 28)) && (4..24).contains(&(i / 28)) {
                0.9
            } else {
                0.0
            }
        })
        .collect();
    let labels = vec!["7 → 2".to_string(), "1".to_string(), "7".to_string()];
    let options = DigitGridOptions {
        title: "Misclassified digits".into(),
        ..DigitGridOptions::default()
    };
    digit_grid(&path, &[&seven, &one, &seven], 28, &labels, 2, &options).unwrap();
    let img = load(&path);
    // 2 columns of 112 + 12 px, 2 rows of 112 + 26 + 12 px, a 44 px title.
    assert_eq!(img.dimensions(), (2 * 124 + 12, 44 + 2 * 150 + 12));
    assert!(count(&img, |p| p == [0, 0, 0]) > 500, "no ink");
    assert!(dark_in_rows(&img, 0..40) > 50, "no title text");

    let e = digit_grid(out("d.png"), &[&seven[..700]], 28, &[], 1, &options).unwrap_err();
    assert!(e.to_string().contains("784 values"), "{e}");
    let e = digit_grid(out("d.png"), &[&seven], 28, &labels, 1, &options).unwrap_err();
    assert!(e.to_string().contains("3 captions"), "{e}");
}

#[test]
fn a_missing_directory_is_a_clear_io_error() {
    let path = std::env::temp_dir()
        .join("xiaolan-plot-no-such-dir")
        .join("loss.png");
    let e = line_chart(
        &path,
        "t",
        "x",
        "y",
        &[Series::per_epoch("a", &[1.0, 2.0])],
        &ChartOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("loss.png") && msg.contains("does not exist"),
        "{msg}"
    );
}

#[test]
fn a_failed_render_keeps_the_previous_picture() {
    let path = out("keep.png");
    line_chart(
        &path,
        "good",
        "x",
        "y",
        &[Series::per_epoch("a", &[1.0, 2.0])],
        &ChartOptions::default(),
    )
    .unwrap();
    let before = std::fs::read(&path).unwrap();
    let e = line_chart(
        &path,
        "bad",
        "x",
        "y",
        &[Series::per_epoch("a", &[f64::NAN])],
        &ChartOptions::default(),
    );
    assert!(e.is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let dir = path.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".keep.png."))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn line_chart_clips_curves_to_a_given_range() {
    let path = out("clipped.png");
    // A diverging loss: the y range is fixed so the early epochs stay legible.
    let loss: Vec<f64> = (0..20).map(|e| 0.5 * 1.6f64.powi(e)).collect();
    let options = ChartOptions {
        y_range: Some((0.0, 10.0)),
        legend: Legend::UpperLeft,
        ..ChartOptions::default()
    };
    line_chart(
        &path,
        "Learning rate too large",
        "epoch",
        "loss",
        &[Series::per_epoch("train", &loss).color(Color::RED)],
        &options,
    )
    .unwrap();
    let img = load(&path);
    assert!(count(&img, near(Color::RED, 0)) > 100);
    // From epoch 8 on the loss is above the range: the curve leaves through
    // the top instead of running along the border as a false plateau, so the
    // right half of the picture has no red at all.
    for y in 0..img.height() {
        for x in 400..img.width() {
            assert!(
                !near(Color::RED, 30)(img.get_pixel(x, y).0),
                "red at ({x}, {y})"
            );
        }
    }
}

#[test]
fn surface3d_draws_a_neurons_sigmoid_surface() {
    let path = out("sigmoid-surface.png");
    let options = SurfaceOptions {
        x_label: "x1".into(),
        y_label: "x2".into(),
        z_label: "output".into(),
        yaw: 0.9,
        ..SurfaceOptions::default()
    };
    let neuron = |x1: f64, x2: f64| 1.0 / (1.0 + (-(2.0 * x1 - 1.5 * x2 + 0.5)).exp());
    surface3d(
        &path,
        "sigmoid(2 x1 - 1.5 x2 + 0.5)",
        neuron,
        (-4.0, 4.0),
        (-4.0, 4.0),
        &[],
        &options,
    )
    .unwrap();
    let img = load(&path);
    assert_not_blank(&img, 200);
}
