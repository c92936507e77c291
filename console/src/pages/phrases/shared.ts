// The reply library's shapes and words, shared by the /phrases page and the sidebar's picker.
import type { Schemas } from '../../api'

export type Phrase = Schemas['PhraseOut']
export type PhraseFolder = Schemas['PhraseFolderOut']
export type PhraseKind = 'text' | 'image' | 'link' | 'miniprogram'
export type PhraseStats = Schemas['PhraseStatsOut']
export type PhraseImport = Schemas['PhraseImportOut']

export const PHRASE_KINDS: Record<PhraseKind, [string, string]> = {
  text: ['文本', 'Text'],
  image: ['图片', 'Image'],
  link: ['链接', 'Link'],
  miniprogram: ['小程序', 'Mini program'],
}

export const PHRASE_SCOPES: Record<string, [string, string]> = {
  corp: ['企业话术', 'Corp phrase'],
  personal: ['我的话术', 'My phrase'],
}

/** The line a list shows under a phrase's title. */
export function preview(p: Phrase): string {
  if (p.kind === 'text') return p.body
  if (p.kind === 'link') return p.description || p.url
  if (p.kind === 'miniprogram') return p.page
  return ''
}
