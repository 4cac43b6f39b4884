/** "next in line", "3rd in line": a queued run's position as people say it. */
export function placeInLine(position: number): string {
  if (position <= 1) return "next in line";
  const t = position % 100;
  const suffix = t >= 11 && t <= 13 ? "th" : (["th", "st", "nd", "rd"][position % 10] ?? "th");
  return `${position}${suffix} in line`;
}
