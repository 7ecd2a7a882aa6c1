/**
 * Error messages fit for HTTP answers: an absolute path tells a caller how the server's disk is
 * laid out, so a path inside the models folder is shown relative to it ("widget/v1/model.onnx")
 * and any other absolute path by its last name. The log keeps the full message.
 */
import path from 'node:path';

/** A POSIX absolute path: a "/" that does not continue a word, a relative path or a URL. */
const ABSOLUTE_PATH = /(?<![\w.:/-])\/[^\s'"`,;()<>[\]{}]+/g;

export function withoutPaths(message: string, modelsDir: string): string {
  return message
    .replaceAll(modelsDir + path.sep, '')
    .replace(ABSOLUTE_PATH, (found) => path.basename(found));
}
