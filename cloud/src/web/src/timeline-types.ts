/** The shape of GET /api/machines/:id/timeline. */
export interface TimelinePoint {
  t: number;
  mean: number;
  max: number;
  n: number;
  state: string;
}

export interface TimelineData {
  threshold: number;
  borderlineLow: number;
  res: string;
  from: number;
  to: number;
  points: TimelinePoint[];
}
