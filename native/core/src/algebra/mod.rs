//! Curve-generic kernels: scalar vectors, point codecs, MSM, FFT and pairing checks.
