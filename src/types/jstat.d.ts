// The part of jStat this project uses (the package ships no types).
declare module 'jstat' {
  const jStat: {
    studentt: { cdf(t: number, degreesOfFreedom: number): number };
  };
  export default jStat;
}
