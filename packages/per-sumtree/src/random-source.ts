/** What the trees need from a random generator: uniform doubles in [0, 1). */
export interface RandomSource {
  nextFloat(): number;
}
