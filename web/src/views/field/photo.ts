// Photo capture for a check-in: the phone camera's picture is downscaled in the browser
// to a bounded size before it is sent (or queued offline in localStorage).
import { fitWithin } from './fieldFormat'

/** Long side in pixels and JPEG quality of a check-in photo. */
export const PHOTO_MAX_SIDE = 1280
export const PHOTO_QUALITY = 0.7

function loadImage(file: File): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file)
    const image = new Image()
    image.onload = () => {
      URL.revokeObjectURL(url)
      resolve(image)
    }
    image.onerror = () => {
      URL.revokeObjectURL(url)
      reject(new Error('image.unreadable'))
    }
    image.src = url
  })
}

/** The picture as a JPEG data URL whose long side is at most `maxSide`. */
export async function downscalePhoto(file: File, maxSide = PHOTO_MAX_SIDE, quality = PHOTO_QUALITY): Promise<string> {
  const image = await loadImage(file)
  const size = fitWithin(image.naturalWidth, image.naturalHeight, maxSide)
  const canvas = document.createElement('canvas')
  canvas.width = size.width
  canvas.height = size.height
  const context = canvas.getContext('2d')
  if (!context) throw new Error('image.canvas')
  context.drawImage(image, 0, 0, size.width, size.height)
  return canvas.toDataURL('image/jpeg', quality)
}
