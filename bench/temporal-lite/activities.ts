export async function work(i: number): Promise<number> {
  return i + 1;
}
