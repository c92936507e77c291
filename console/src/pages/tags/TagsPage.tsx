// 企业标签 and 规则标签 in two tabs (?tab=rules opens the second).
import { Tabs } from 'antd'
import { useSearchParams } from 'react-router-dom'
import { useAuth } from '../../auth'
import { useI18n } from '../../i18n'
import CorpTags from './CorpTags'
import RuleTags from './RuleTags'

export default function TagsPage() {
  const { tr } = useI18n()
  const { me } = useAuth()
  const [params, setParams] = useSearchParams()
  const tab = params.get('tab') === 'rules' ? 'rules' : 'tags'
  return (
    <Tabs
      activeKey={tab}
      onChange={(k) => setParams(k === 'rules' ? { tab: 'rules' } : {}, { replace: true })}
      items={[
        { key: 'tags', label: tr('企业标签', 'Corp tags'), children: <CorpTags /> },
        ...(me?.full_access
          ? [{ key: 'rules', label: tr('规则标签', 'Rule tags'), children: <RuleTags canEdit={!!me?.full_access} /> }]
          : []),
      ]}
    />
  )
}
