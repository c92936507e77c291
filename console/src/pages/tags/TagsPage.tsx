// 企业标签 and 规则标签 in two tabs (?tab=rules opens the second).
import { Tabs } from 'antd'
import { useSearchParams } from 'react-router-dom'
import { useAuth } from '../../auth'
import { useI18n } from '../../i18n'
import CorpTags from './CorpTags'
import RuleTags from './RuleTags'
import StageSettings from '../customers/StageSettings'

export default function TagsPage() {
  const { tr } = useI18n()
  const { me } = useAuth()
  const [params, setParams] = useSearchParams()
  const tab = params.get('tab') === 'rules' ? 'rules' : params.get('tab') === 'stages' ? 'stages' : 'tags'
  return (
    <Tabs
      activeKey={tab}
      onChange={(k) => setParams(k === 'tags' ? {} : { tab: k }, { replace: true })}
      items={[
        { key: 'tags', label: tr('企业标签', 'Corp tags'), children: <CorpTags /> },
        ...(me?.full_access
          ? [{ key: 'rules', label: tr('规则标签', 'Rule tags'), children: <RuleTags canEdit={!!me?.full_access} /> }]
          : []),
        { key: 'stages', label: tr('客户阶段', 'Customer stages'), children: <StageSettings canEdit={!!me?.full_access} /> },
      ]}
    />
  )
}
