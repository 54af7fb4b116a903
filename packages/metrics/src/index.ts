// @edm/metrics: sample-quality metrics on tfjs-core (browser-safe; the CLI drives them in Node).
import '@edm/core';
