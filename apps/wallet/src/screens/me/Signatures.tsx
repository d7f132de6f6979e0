/**
 * "Me" → signatures (issue 17): every signature request this account received, newest first,
 * with the service, the text as it was shown, the document's name, and what became of it
 * (signed, declined, "this wasn't me", ended). Loaded when the section is opened.
 */
import { useEffect, useState } from 'react';
import { deviceApi, type SignatureRecord } from '../../api/device-api';
import { ErrorBox, Loading, rpName } from '../../ui/components';
import { useT } from '../../ui/use-t';
import { SignedText } from '../SignRequest';

export function SignaturesSection() {
  const { t, lang, dateTime } = useT();
  const [records, setRecords] = useState<SignatureRecord[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    deviceApi
      .signatures()
      .then((answer) => setRecords(answer.signatures))
      .catch(setError);
  }, []);
  if (error) return <ErrorBox error={error} />;
  if (!records) return <Loading />;
  if (records.length === 0) return <p className="empty">{t('me.signatures.empty')}</p>;
  return (
    <ol className="history signatures" data-testid="signatures-list">
      {records.map((record) => (
        <li key={record.id} data-testid="signature-item" data-state={record.state}>
          <p>
            <strong>{rpName(record.relyingParty, lang)}</strong>
            <span className="who"> · {record.relyingParty.domain ?? ''}</span>
          </p>
          <SignedText text={record.text} format={record.format} />
          {record.documentName ? (
            <p className="hint" data-testid="signature-document">
              {t('me.signatures.document', { name: record.documentName })}
            </p>
          ) : null}
          <p>
            <span className="tag" data-testid="signature-state">
              {t(`me.signatures.state.${record.state}`)}
            </span>
            {record.notMe ? <span className="tag">{t('me.signatures.not_me')}</span> : null}
            <span className="when">{dateTime(record.decidedAt ?? record.createdAt)}</span>
          </p>
        </li>
      ))}
    </ol>
  );
}
