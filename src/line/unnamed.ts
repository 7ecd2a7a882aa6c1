/** Stands for a line or camera an image was sent without, where the line is shown a name (OPC UA nodes, metric labels). */
export const UNNAMED = '-';
