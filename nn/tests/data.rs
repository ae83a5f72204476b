//! Data sets: the Dataset type, the course's beans, the Playground generators.

use autograd::Tensor;
use nn::data::playground::{self, features, with_features};
use nn::data::{beans, Dataset, Feature, PlaygroundSet};
use nn::Error;
use std::collections::HashSet;

fn toy(n: usize) -> Dataset<f64> {
    // x = [i, 10 i], y = [100 i]: every row says which sample it is.
    let xs: Vec<f64> = (0..n).flat_map(|i| [i as f64, 10.0 * i as f64]).collect();
    let ys: Vec<f64> = (0..n).map(|i| 100.0 * i as f64).collect();
    Dataset::from_f64(2, &xs, 1, &ys).unwrap()
}

fn ids(d: &Dataset<f64>) -> Vec<usize> {
    (0..d.len()).map(|i| d.x_row(i)[0] as usize).collect()
}

fn rows_consistent(d: &Dataset<f64>) {
    for i in 0..d.len() {
        let id = d.x_row(i)[0];
        assert_eq!(d.x_row(i)[1], 10.0 * id);
        assert_eq!(d.y_row(i)[0], 100.0 * id);
    }
}

#[test]
fn constructor_checks_shapes_and_emptiness() {
    let x = Tensor::<f64>::zeros(&[3, 2]);
    let err = Dataset::new(x.clone(), Tensor::zeros(&[2, 1])).unwrap_err();
    assert!(matches!(err, Error::Mismatch { .. }), "{err}");
    assert!(err.to_string().contains("3 rows"), "{err}");
    let err = Dataset::new(Tensor::<f64>::zeros(&[3]), Tensor::zeros(&[3, 1])).unwrap_err();
    assert!(err.to_string().contains("[3]"), "{err}");
    let err = Dataset::new(Tensor::<f64>::zeros(&[0, 2]), Tensor::zeros(&[0, 1])).unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    let err = Dataset::new(x.clone(), Tensor::zeros(&[3, 1]))
        .unwrap()
        .with_classes(vec![0, 1])
        .unwrap_err();
    assert!(err.to_string().contains("3 (one per sample)"), "{err}");
    assert!(Dataset::<f64>::from_f64(2, &[1.0, 2.0, 3.0], 1, &[1.0]).is_err());
}

#[test]
fn one_hot_and_classification() {
    let x = Tensor::<f32>::zeros(&[3, 1]);
    let d = Dataset::classification(x.clone(), vec![2, 0, 1], 3).unwrap();
    assert_eq!(d.y().shape(), &[3, 3]);
    assert_eq!(d.y().data(), &[0., 0., 1., 1., 0., 0., 0., 1., 0.]);
    let err = Dataset::classification(x, vec![0, 3, 1], 3).unwrap_err();
    assert!(err.to_string().contains("expected 0..3, found 3"), "{err}");
    assert!(Tensor::<f64>::one_hot(&[5], 5).is_err());
}

#[test]
fn select_keeps_rows_together_and_checks_indices() {
    let d = toy(5).with_classes(vec![0, 1, 2, 3, 4]).unwrap();
    let s = d.select(&[4, 0, 4]).unwrap();
    assert_eq!(ids(&s.to_f64()), [4, 0, 4]);
    assert_eq!(s.classes().unwrap(), &[4, 0, 4]);
    rows_consistent(&s);
    let err = d.select(&[1, 5]).unwrap_err();
    assert!(err.to_string().contains("expected 0..5, found 5"), "{err}");
    assert!(matches!(d.select(&[]).unwrap_err(), Error::Invalid { .. }));
}

#[test]
fn split_is_a_seeded_partition() {
    let d = toy(103);
    let (train, test) = d.split(0.8, 11).unwrap();
    assert_eq!((train.len(), test.len()), (82, 21)); // ⌊103 · 0.8⌋ = 82
    rows_consistent(&train);
    rows_consistent(&test);
    let mut all: Vec<usize> = ids(&train).into_iter().chain(ids(&test)).collect();
    assert_ne!(all, (0..103).collect::<Vec<_>>(), "the split shuffles");
    all.sort_unstable();
    assert_eq!(all, (0..103).collect::<Vec<_>>(), "every sample once");
    // Same seed, same split; another seed, another split.
    assert_eq!(d.split(0.8, 11).unwrap().0, train);
    assert_ne!(d.split(0.8, 12).unwrap().0, train);
}

#[test]
fn split_rejects_bad_ratios_and_empty_sides() {
    let d = toy(10);
    for r in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
        let err = d.split(r, 0).unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{r}: {err}");
        assert!(
            err.to_string().contains("strictly between 0 and 1"),
            "{err}"
        );
    }
    let err = d.split(0.05, 0).unwrap_err(); // ⌊0.5⌋ = 0 training samples
    assert!(err.to_string().contains("0 training and 10 test"), "{err}");
    let err = toy(1).split(0.5, 0).unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    assert!(d.split_at(0).is_err() && d.split_at(10).is_err());
    let (a, b) = d.split_at(7).unwrap();
    assert_eq!(ids(&a), (0..7).collect::<Vec<_>>());
    assert_eq!(ids(&b), [7, 8, 9]);
}

#[test]
fn batches_cover_every_sample_once_with_a_partial_last_batch() {
    let d = toy(23);
    let batches: Vec<(Tensor<f64>, Tensor<f64>)> = d.batches(5, 3, 0).unwrap().collect();
    let sizes: Vec<usize> = batches.iter().map(|(x, _)| x.shape()[0]).collect();
    assert_eq!(sizes, [5, 5, 5, 5, 3]);
    let mut seen = Vec::new();
    for (x, y) in &batches {
        assert_eq!(x.shape()[1], 2);
        assert_eq!(y.shape(), &[x.shape()[0], 1]);
        for r in 0..x.shape()[0] {
            let id = x.at(&[r, 0]);
            assert_eq!(y.at(&[r, 0]), 100.0 * id, "x and y rows stay paired");
            seen.push(id as usize);
        }
    }
    assert_ne!(seen, (0..23).collect::<Vec<_>>(), "batches are shuffled");
    seen.sort_unstable();
    assert_eq!(seen, (0..23).collect::<Vec<_>>());
    assert_eq!(d.batches(5, 3, 0).unwrap().len(), 5);
}

#[test]
fn batch_order_depends_on_seed_and_epoch_only() {
    let d = toy(50);
    let order = |seed, epoch| -> Vec<usize> {
        d.batches(7, seed, epoch)
            .unwrap()
            .flat_map(|(x, _)| {
                x.data()
                    .iter()
                    .step_by(2)
                    .map(|&v| v as usize)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_eq!(order(1, 0), order(1, 0));
    assert_ne!(order(1, 0), order(1, 1), "a new epoch reshuffles");
    assert_ne!(order(1, 0), order(2, 0));
    let in_order: Vec<usize> = d
        .batches_in_order(7)
        .unwrap()
        .flat_map(|(x, _)| {
            x.data()
                .iter()
                .step_by(2)
                .map(|&v| v as usize)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(in_order, (0..50).collect::<Vec<_>>());
    assert!(matches!(
        d.batches(0, 1, 0).err().unwrap(),
        Error::Invalid { .. }
    ));
    // Batches as data sets keep class indices.
    let c = Dataset::classification(Tensor::<f64>::zeros(&[4, 1]), vec![3, 1, 2, 0], 4).unwrap();
    let mut b = c.batches_in_order(3).unwrap();
    assert_eq!(b.next_dataset().unwrap().classes().unwrap(), &[3, 1, 2]);
    assert_eq!(b.next_dataset().unwrap().classes().unwrap(), &[0]);
    assert!(b.next_dataset().is_none());
}

#[test]
fn cast_round_trips_and_maps_transform() {
    let d = toy(4);
    let f: Dataset<f32> = d.to_f32();
    assert_eq!(f.x().data()[3], 10.0f32);
    assert_eq!(f.to_f64(), d);
    let m = d.map_targets(|t| t / 100.0);
    assert_eq!(m.y().data(), &[0.0, 1.0, 2.0, 3.0]);
    let sq = d.map_inputs(|r| vec![r[0] * r[0]]).unwrap();
    assert_eq!(sq.x().data(), &[0.0, 1.0, 4.0, 9.0]);
    let err = d.map_inputs(|r| vec![0.0; 1 + r[0] as usize]).unwrap_err();
    assert!(err.to_string().contains("expected 1, found 2"), "{err}");
}

// ---- the course's beans ----

#[test]
fn bean_lines_follow_their_formulas() {
    let d = beans::line(200, 0.0, 5);
    assert_eq!((d.len(), d.input_dim(), d.target_dim()), (200, 1, 1));
    for i in 0..d.len() {
        let x = d.x_row(i)[0];
        assert!((0.0..1.0).contains(&x));
        assert!((d.y_row(i)[0] - 1.7 * x).abs() < 1e-12);
    }
    // The course's bean lies on the line.
    assert!((beans::LINE_W * 0.4 - 0.68).abs() < 1e-12);
    // Noise: residuals have the requested spread, and the least-squares
    // slope through the origin comes back near 1.7.
    let d = beans::line(2000, 0.05, 5);
    let (mut sxy, mut sxx, mut ss) = (0.0, 0.0, 0.0);
    for i in 0..d.len() {
        let (x, y) = (d.x_row(i)[0], d.y_row(i)[0]);
        sxy += x * y;
        sxx += x * x;
        ss += (y - 1.7 * x).powi(2);
    }
    assert!((sxy / sxx - 1.7).abs() < 0.01, "slope {}", sxy / sxx);
    let sd = (ss / d.len() as f64).sqrt();
    assert!((sd - 0.05).abs() < 0.005, "noise sd {sd}");
    let o = beans::line_with_offset(100, 0.0, 5);
    for i in 0..o.len() {
        let x = o.x_row(i)[0];
        assert!((o.y_row(i)[0] - (beans::OFFSET_W * x + beans::OFFSET_B)).abs() < 1e-12);
    }
    // Same seed, same beans; another seed, other beans.
    assert_eq!(beans::line(10, 0.1, 1), beans::line(10, 0.1, 1));
    assert_ne!(beans::line(10, 0.1, 1), beans::line(10, 0.1, 2));
}

#[test]
fn bean_classes_follow_their_rules() {
    let check = |d: &Dataset<f64>, rule: &dyn Fn(&[f64]) -> bool| {
        let mut count = [0; 2];
        for (i, &class) in d.classes().unwrap().iter().enumerate() {
            let c = usize::from(rule(d.x_row(i)));
            assert_eq!(class, c, "sample {i}: {:?}", d.x_row(i));
            assert_eq!(d.y_row(i), &[c as f64]);
            count[c] += 1;
        }
        assert!(
            count[0] > d.len() / 5 && count[1] > d.len() / 5,
            "both classes: {count:?}"
        );
    };
    check(&beans::threshold(300, 1), &|x| x[0] >= 0.5);
    check(&beans::hill(300, 1), &|x| (0.35..0.65).contains(&x[0]));
    check(&beans::two_features(300, 1), &|x| {
        1.5 * x[0] + 1.2 * x[1] > 1.35
    });
    check(&beans::two_features_curved(300, 1), &|x| {
        x[1] > 0.2 + 2.4 * (x[0] - 0.5).powi(2)
    });
    // The hill is low-high-low: toxic beans lie between safe ones on both sides.
    let h = beans::hill(300, 2);
    let toxic: Vec<f64> = (0..h.len())
        .filter(|&i| h.classes().unwrap()[i] == 1)
        .map(|i| h.x_row(i)[0])
        .collect();
    let lo = toxic.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = toxic.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    assert!((0..h.len()).any(|i| h.x_row(i)[0] < lo) && (0..h.len()).any(|i| h.x_row(i)[0] > hi));
}

#[test]
fn curved_beans_are_not_linearly_separable_but_straight_ones_are() {
    // The straight set is separated by its own line; for the curved set the
    // best of many lines still misclassifies a good share.
    let straight = beans::two_features(400, 3);
    let curved = beans::two_features_curved(400, 3);
    let errors = |d: &Dataset<f64>, w1: f64, w2: f64, b: f64| {
        (0..d.len())
            .filter(|&i| {
                let x = d.x_row(i);
                usize::from(w1 * x[0] + w2 * x[1] + b > 0.0) != d.classes().unwrap()[i]
            })
            .count()
    };
    assert_eq!(errors(&straight, 1.5, 1.2, -1.35), 0);
    let mut best = usize::MAX;
    for a in 0..72 {
        let t = a as f64 * std::f64::consts::PI / 36.0;
        for k in 0..41 {
            let b = -1.5 + k as f64 * 0.075;
            best = best.min(errors(&curved, t.cos(), t.sin(), b));
        }
    }
    assert!(
        best > 20,
        "a line separates the curved set with only {best} errors"
    );
}

// ---- TensorFlow Playground ----

#[test]
fn playground_sizes_labels_and_determinism() {
    for set in PlaygroundSet::ALL {
        let d = set.generate(0.2, 9).unwrap();
        let n = if set.is_regression() { 1200 } else { 500 };
        assert_eq!((d.len(), d.input_dim(), d.target_dim()), (n, 2, 1), "{set}");
        assert_eq!(d, set.generate(0.2, 9).unwrap(), "{set} is seeded");
        assert_ne!(
            d,
            set.generate(0.2, 10).unwrap(),
            "{set} depends on the seed"
        );
        for i in 0..d.len() {
            let x = d.x_row(i);
            assert!(x[0].abs() <= 6.0 && x[1].abs() <= 6.0 || set == PlaygroundSet::Gauss);
            let t = d.y_row(i)[0];
            if set.is_regression() {
                assert!(
                    t.abs() <= 1.0 + 1e-12 || set == PlaygroundSet::Plane,
                    "{set} {t}"
                );
            } else {
                assert!(t == 1.0 || t == -1.0, "{set}: label {t}");
                assert_eq!(d.classes().unwrap()[i], usize::from(t > 0.0));
            }
        }
        if !set.is_regression() {
            let pos = d.classes().unwrap().iter().filter(|&&c| c == 1).count();
            assert!(pos > 100 && pos < 400, "{set}: {pos} positive of 500");
        }
    }
}

#[test]
fn playground_noise_free_sets_follow_the_formulas() {
    let circle = PlaygroundSet::Circle.generate(0.0, 1).unwrap();
    for i in 0..500 {
        let x = circle.x_row(i);
        let r = x[0].hypot(x[1]);
        let label = circle.y_row(i)[0];
        if i < 250 {
            assert!(r < 2.5 && label == 1.0, "inside point {i}: r {r}");
        } else {
            assert!(
                (3.5..=5.0).contains(&r) && label == -1.0,
                "outside point {i}: r {r}"
            );
        }
    }
    let xor = PlaygroundSet::Xor.generate(0.0, 1).unwrap();
    for i in 0..500 {
        let x = xor.x_row(i);
        assert!(
            x[0].abs() >= 0.3 && x[1].abs() >= 0.3 && x[0].abs() <= 5.3,
            "padding {x:?}"
        );
        assert_eq!(xor.y_row(i)[0], if x[0] * x[1] >= 0.0 { 1.0 } else { -1.0 });
    }
    let spiral = PlaygroundSet::Spiral.generate(0.0, 1).unwrap();
    for i in 0..500 {
        let (k, arm) = (i % 250, i / 250);
        let r = k as f64 / 250.0 * 5.0;
        let t = 1.75 * k as f64 / 250.0 * 2.0 * std::f64::consts::PI
            + arm as f64 * std::f64::consts::PI;
        let x = spiral.x_row(i);
        assert!((x[0] - r * t.sin()).abs() < 1e-12 && (x[1] - r * t.cos()).abs() < 1e-12);
        assert_eq!(spiral.y_row(i)[0], if arm == 0 { 1.0 } else { -1.0 });
    }
    let plane = PlaygroundSet::Plane.generate(0.0, 1).unwrap();
    for i in 0..1200 {
        let x = plane.x_row(i);
        assert!((plane.y_row(i)[0] - (x[0] + x[1]) / 10.0).abs() < 1e-12);
    }
    let mg = PlaygroundSet::MultiGaussian.generate(0.0, 1).unwrap();
    for i in 0..1200 {
        let x = mg.x_row(i);
        assert_eq!(
            mg.y_row(i)[0],
            playground::multi_gaussian_target(x[0], x[1])
        );
    }
    assert_eq!(playground::multi_gaussian_target(-4.0, 2.5), 1.0);
    assert_eq!(playground::multi_gaussian_target(0.0, -2.5), 1.0);
    assert_eq!(playground::multi_gaussian_target(4.0, -2.5), -1.0);
    assert_eq!(playground::multi_gaussian_target(1.0, 2.5), -0.5);
    assert_eq!(playground::multi_gaussian_target(6.0, 0.0), 0.0);
}

#[test]
fn playground_noise_semantics() {
    // Circle and XOR: noise flips labels but does not move points.
    let clean = PlaygroundSet::Circle.generate(0.0, 4).unwrap();
    let noisy = PlaygroundSet::Circle.generate(0.5, 4).unwrap();
    let flipped = (0..500)
        .filter(|&i| {
            let x = noisy.x_row(i);
            let geometric = if x[0].hypot(x[1]) < 2.5 { 1.0 } else { -1.0 };
            noisy.y_row(i)[0] != geometric
        })
        .count();
    assert!(
        flipped > 20 && flipped < 250,
        "{flipped} labels flipped at noise 0.5"
    );
    assert!((0..500).all(|i| clean.y_row(i)[0] == if i < 250 { 1.0 } else { -1.0 }));
    // Spiral: noise moves points by at most 0.5 in each coordinate.
    let clean = PlaygroundSet::Spiral.generate(0.0, 4).unwrap();
    let noisy = PlaygroundSet::Spiral.generate(0.5, 4).unwrap();
    let mut moved = 0.0f64;
    for i in 0..500 {
        for j in 0..2 {
            let dx = (clean.x_row(i)[j] - noisy.x_row(i)[j]).abs();
            assert!(dx <= 0.5);
            moved = moved.max(dx);
        }
    }
    assert!(
        moved > 0.4,
        "noise 0.5 should move some point by nearly 0.5"
    );
    // Gauss: variance 0.5 + 7·noise, from 0.5 to 4.
    for (noise, var) in [(0.0, 0.5), (0.5, 4.0), (0.25, 2.25)] {
        let d = PlaygroundSet::Gauss.generate_n(20_000, noise, 4).unwrap();
        let xs: Vec<f64> = (0..10_000).map(|i| d.x_row(i)[0]).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let v = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!((mean - 2.0).abs() < 0.06, "mean {mean}");
        assert!(
            (v - var).abs() < 0.06 * var,
            "noise {noise}: variance {v}, expected {var}"
        );
    }
}

#[test]
fn playground_rejects_bad_noise_and_sizes() {
    for noise in [-0.1, 0.51, 50.0, f64::NAN] {
        let err = PlaygroundSet::Circle.generate(noise, 0).unwrap_err();
        assert!(err.to_string().contains("[0, 0.5]"), "{err}");
    }
    assert!(PlaygroundSet::Spiral.generate_n(201, 0.0, 0).is_err());
    assert!(PlaygroundSet::Xor.generate_n(201, 0.0, 0).is_ok());
    assert!(PlaygroundSet::Xor.generate_n(0, 0.0, 0).is_err());
    assert_eq!(
        PlaygroundSet::Spiral.generate_n(200, 0.0, 0).unwrap().len(),
        200
    );
}

#[test]
fn playground_shuffle_then_split_by_percent() {
    let (train, test) = PlaygroundSet::Spiral.generate_split(0.1, 30, 8).unwrap();
    assert_eq!((train.len(), test.len()), (150, 350));
    // The split holds exactly the generated points, shuffled.
    let all = PlaygroundSet::Spiral.generate(0.1, 8).unwrap();
    let key = |d: &Dataset<f64>, i: usize| {
        (
            d.x_row(i)[0].to_bits(),
            d.x_row(i)[1].to_bits(),
            d.y_row(i)[0].to_bits(),
        )
    };
    let generated: HashSet<_> = (0..all.len()).map(|i| key(&all, i)).collect();
    let split: HashSet<_> = (0..150)
        .map(|i| key(&train, i))
        .chain((0..350).map(|i| key(&test, i)))
        .collect();
    assert_eq!(generated, split);
    let first_ten: Vec<_> = (0..10).map(|i| key(&train, i)).collect();
    assert_ne!(first_ten, (0..10).map(|i| key(&all, i)).collect::<Vec<_>>());
    let (train, test) = PlaygroundSet::Plane.generate_split(0.0, 90, 8).unwrap();
    assert_eq!((train.len(), test.len()), (1080, 120));
    for bad in [0, 100, 150] {
        assert!(
            PlaygroundSet::Circle.generate_split(0.0, bad, 8).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn playground_features_and_names() {
    let x = Tensor::from_vec(&[2, 2], vec![1.0, 2.0, -0.5, 3.0]).unwrap();
    let f = features(&x, &Feature::ALL).unwrap();
    assert_eq!(f.shape(), &[2, 7]);
    let expect = |a: f64, b: f64| [a, b, a * a, b * b, a * b, a.sin(), b.sin()];
    assert_eq!(&f.data()[..7], &expect(1.0, 2.0));
    assert_eq!(&f.data()[7..], &expect(-0.5, 3.0));
    assert!(features(&Tensor::<f64>::zeros(&[2, 3]), &Feature::DEFAULT).is_err());
    assert!(features(&x, &[]).is_err());

    let d = PlaygroundSet::Circle.generate(0.0, 2).unwrap();
    let sq = with_features(&d, &[Feature::X1Squared, Feature::X2Squared]).unwrap();
    assert_eq!(sq.input_dim(), 2);
    assert_eq!(sq.classes(), d.classes());
    assert_eq!(sq.x_row(3)[1], d.x_row(3)[1].powi(2));

    for f in Feature::ALL {
        assert_eq!(f.name().parse::<Feature>().unwrap(), f);
        assert_eq!(f.playground_id().parse::<Feature>().unwrap(), f);
        assert_eq!(f.to_string().parse::<Feature>().unwrap(), f);
    }
    assert_eq!("X1²".parse::<Feature>().unwrap(), Feature::X1Squared);
    assert_eq!("sin X2".parse::<Feature>().unwrap(), Feature::SinX2);
    let err = "x3".parse::<Feature>().unwrap_err().to_string();
    assert!(
        err.contains("one of x1, x2, x1^2, x2^2, x1x2, sin(x1), sin(x2)"),
        "{err}"
    );
    assert!(err.contains("\"x3\""), "{err}");
    assert_eq!(
        Feature::parse_list("x1, x2 ,sin(x1)").unwrap(),
        [Feature::X1, Feature::X2, Feature::SinX1]
    );
    assert!(Feature::parse_list("x1,x1").is_err());
    assert!(Feature::parse_list(" , ").is_err());

    for set in PlaygroundSet::ALL {
        assert_eq!(set.name().parse::<PlaygroundSet>().unwrap(), set);
    }
    assert_eq!(
        "reg-gauss".parse::<PlaygroundSet>().unwrap(),
        PlaygroundSet::MultiGaussian
    );
    assert_eq!(
        "Reg-Plane".parse::<PlaygroundSet>().unwrap(),
        PlaygroundSet::Plane
    );
    let err = "moons".parse::<PlaygroundSet>().unwrap_err().to_string();
    assert!(
        err.contains("one of circle, xor, gauss, spiral, plane, multi-gaussian"),
        "{err}"
    );
}
