/** The little of the `sip` npm package the parser benchmark uses as its reference. */
declare module "sip" {
  const sip: { parse(data: Buffer | string): { headers: { cseq: { seq: number } } } };
  export default sip;
}
