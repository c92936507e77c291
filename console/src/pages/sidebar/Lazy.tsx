// Renders its children once they scroll near the viewport, or shortly after the page settled:
// the sidebar's essentials load first, the rest (SOP to-dos, tasks, content, timeline…) after
// them instead of competing with them for the phone's network.
import { useEffect, useRef, useState, type ReactNode } from 'react'

const DEFER_MS = 600

export default function Lazy({ children, minHeight = 48 }: { children: ReactNode; minHeight?: number }) {
  const ref = useRef<HTMLDivElement>(null)
  const [shown, setShown] = useState(false)
  useEffect(() => {
    const el = ref.current
    if (!el || shown) return
    if (typeof IntersectionObserver === 'undefined') {
      setShown(true)
      return
    }
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setShown(true)
    }, { rootMargin: '200px' })
    io.observe(el)
    const later = setTimeout(() => setShown(true), DEFER_MS)
    return () => {
      io.disconnect()
      clearTimeout(later)
    }
  }, [shown])
  return <div ref={ref} style={shown ? undefined : { minHeight }}>{shown ? children : null}</div>
}
