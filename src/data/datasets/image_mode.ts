/** How many channels a decoded image gets. */

/** Channels wanted: 3 (RGB, as torchvision's loader), 1 (grey), or what the file has. */
export type ImageMode = "rgb" | "grey" | "keep";
