//! Uploaded files: those of ticket messages (portal forms and the agent API) checked here
//! (kind by content, per-file and per-message caps), and documents. Both are stored in R2
//! under unguessable keys, recorded by the caller's batch and served as downloads. R2 and D1
//! share no transaction, so objects go first and are deleted again when the batch fails: a
//! failure leaves no row pointing at nothing, and at worst (the delete failing too) an orphan
//! object nobody can reach.

use crate::http::{single_valued, Response};
use crate::multipart::{self, Limits, MultipartError, Part};
use crate::runtime::{Blob, BlobStore, Runtime};
use crate::store::attachments::StoredFile;
use crate::store::portal_tickets::AttachmentView;
use crate::upload::SetAside;
use porch_types::attachments::{check_file, check_totals, content_disposition, FileProblem, Filename, MAX_FILE_BYTES};
use porch_types::error::AppError;
use porch_types::ids::{AttachmentId, TenantId};
use porch_types::to_hex;

/// Bounds on a body with files: the attachment caps are checked per file later; these bound
/// the parsing itself.
const MULTIPART_LIMITS: Limits =
    Limits { max_parts: 40, max_total_bytes: crate::app::MAX_UPLOAD_BODY_BYTES, max_header_bytes: 4096 };

/// The text fields and the files of a `multipart/form-data` body. Files borrow the body: an
/// upload is not copied while the form is read (R2's put takes its own copy later).
pub struct MultipartForm<'a> {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Part<'a>>,
}

/// The body as a multipart form, or None when `content_type` is not `multipart/form-data`
/// with a boundary. Text fields must be UTF-8 and each given once; parts with a filename
/// are files.
pub fn read_multipart<'a>(body: &'a [u8], content_type: &str) -> Result<Option<MultipartForm<'a>>, AppError> {
    let Some(boundary) = multipart::boundary(content_type) else {
        return Ok(None);
    };
    let parts = multipart::parse(body, &boundary, &MULTIPART_LIMITS).map_err(|err| match err {
        MultipartError::TooLarge { .. } => AppError::TooLarge(err.to_string()),
        other => AppError::BadRequest(other.to_string()),
    })?;
    let mut form = MultipartForm { fields: Vec::new(), files: Vec::new() };
    for part in parts {
        if part.filename.is_some() {
            form.files.push(part);
        } else {
            let text = part.text().ok_or_else(|| AppError::BadRequest("a form field is not text".into()))?;
            form.fields.push((part.name.clone(), text.to_owned()));
        }
    }
    single_valued(&form.fields)?;
    Ok(Some(form))
}

/// A file that passed the checks, not yet stored.
pub struct CheckedFile<'a> {
    filename: String,
    content_type: &'static str,
    data: &'a [u8],
}

/// The files of a form, checked; every problem found, those set aside as the body was read
/// (`upload`) included. Empty file inputs (a form sent without choosing a file) are not files.
pub fn check<'a>(files: &[Part<'a>], set_aside: &[SetAside]) -> Result<Vec<CheckedFile<'a>>, Vec<FileProblem>> {
    let chosen: Vec<&Part<'a>> =
        files.iter().filter(|p| !(p.data.is_empty() && p.filename.as_deref() == Some(""))).collect();
    let mut errors = Vec::new();
    if let Err(error) = check_totals(chosen.len() + set_aside.len(), chosen.iter().map(|p| p.data.len()).sum()) {
        errors.push(error);
    }
    let mut checked = Vec::with_capacity(chosen.len());
    for part in chosen {
        match check_file(part.filename.as_deref().unwrap_or(""), part.data) {
            Ok((filename, kind)) => checked.push(CheckedFile {
                filename: filename.as_str().to_owned(),
                content_type: kind.content_type(),
                data: part.data,
            }),
            Err(error) => errors.push(error),
        }
    }
    errors.extend(set_aside.iter().map(|file| match Filename::parse(&file.filename) {
        Err(why) => FileProblem::BadName(why),
        Ok(name) if file.size > MAX_FILE_BYTES => FileProblem::TooLarge(name, file.size),
        Ok(name) => FileProblem::Beyond(name, file.size),
    }));
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}

/// Stores the files in R2 (see [`put_new`]), each under `attachments/<tenant>/…`. On a
/// failure the files already stored are deleted again.
pub async fn store<R: Runtime>(
    rt: &R,
    tenant: TenantId,
    files: &[CheckedFile<'_>],
) -> Result<Vec<StoredFile>, AppError> {
    let mut stored = Vec::with_capacity(files.len());
    for file in files {
        let one = store_one(rt, tenant, file).await;
        stored.push(kept_if_written(rt, &stored, one).await?);
    }
    Ok(stored)
}

/// One file, stored; its id drawn before the write, so nothing fallible follows the put.
async fn store_one<R: Runtime>(rt: &R, tenant: TenantId, file: &CheckedFile<'_>) -> Result<StoredFile, AppError> {
    let id = AttachmentId::from_random(rt.random_16()?);
    let r2_key = put_new(rt, "attachments", tenant, file.data, file.content_type).await?;
    Ok(StoredFile {
        id,
        r2_key,
        filename: file.filename.clone(),
        content_type: file.content_type,
        size: i64::try_from(file.data.len()).unwrap_or(i64::MAX),
    })
}

/// Writes `bytes` to R2 under a new key, `<prefix>/<tenant>/<64 random hex>`, and returns the
/// key. The key says nothing about what the file belongs to, and knowing it gives nothing
/// (downloads go through the permission check, never to R2 directly). The caller records the
/// key in a batch and passes the batch's outcome through [`kept_if_written`].
pub async fn put_new<R: Runtime>(
    rt: &R,
    prefix: &str,
    tenant: TenantId,
    bytes: &[u8],
    content_type: &str,
) -> Result<String, AppError> {
    let mut random = [0u8; 32];
    rt.fill_random(&mut random).map_err(|e| AppError::Internal(format!("randomness: {e}")))?;
    let key = format!("{prefix}/{}/{}", tenant.to_db(), to_hex(&random));
    let blob = Blob { bytes: bytes.to_vec(), content_type: content_type.to_owned() };
    rt.blobs().put(&key, blob).await.map_err(|e| AppError::Internal(format!("{prefix} write: {e}")))?;
    Ok(key)
}

/// Something recorded with an R2 object: the object's key. A ticket's stored file, or the
/// bare key (a document's).
pub trait StoredObject {
    fn r2_key(&self) -> &str;
}

impl StoredObject for StoredFile {
    fn r2_key(&self) -> &str {
        &self.r2_key
    }
}

impl StoredObject for String {
    fn r2_key(&self) -> &str {
        self
    }
}

/// The outcome of the write that records `stored` objects, passed through; if it failed (the
/// batch, or anything built before it), the objects are deleted again.
pub async fn kept_if_written<R: Runtime, S: StoredObject, T>(
    rt: &R,
    stored: &[S],
    written: Result<T, AppError>,
) -> Result<T, AppError> {
    if written.is_err() {
        discard(rt, stored).await;
    }
    written
}

/// Deletes objects no row names: those of a batch that failed, or of a row deleted. Best
/// effort: a failed batch's error is already on its way to the person, and an object no row
/// names cannot be reached.
pub async fn discard<R: Runtime, S: StoredObject>(rt: &R, stored: &[S]) {
    for object in stored {
        if let Err(err) = rt.blobs().delete(object.r2_key()).await {
            rt.log(&format!("could not delete an object no row names: {err}"));
        }
    }
}

/// A stored file as a download, for a caller that has checked the viewer may have it.
pub async fn serve<R: Runtime>(rt: &R, attachment: &AttachmentView) -> Result<Response, AppError> {
    serve_object(rt, &attachment.r2_key, &attachment.filename, &attachment.content_type).await
}

/// The object `r2_key` as a download named `filename`, for a caller that has checked the
/// viewer may have it: never rendered by the browser (`Content-Disposition: attachment`,
/// `nosniff`, a sandboxing CSP), so an uploaded file can never run as the portal's page.
pub async fn serve_object<R: Runtime>(
    rt: &R,
    r2_key: &str,
    filename: &str,
    content_type: &str,
) -> Result<Response, AppError> {
    let blob = rt
        .blobs()
        .get(r2_key)
        .await
        .map_err(|e| AppError::Internal(format!("file read: {e}")))?
        .ok_or_else(|| AppError::Internal(format!("a recorded file has no stored object ({filename})")))?;
    let filename = Filename::parse(filename).map_err(|e| AppError::Internal(format!("stored filename: {e}")))?;
    Ok(Response::new(200, content_type, blob.bytes)
        .with_header("content-disposition", &content_disposition(&filename))
        .with_header("x-content-type-options", "nosniff")
        .with_header("content-security-policy", "sandbox; default-src 'none'")
        .with_header("cache-control", "private, no-store"))
}
